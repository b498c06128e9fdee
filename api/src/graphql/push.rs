//! Members' push devices: registered and unregistered by their owner, listed under
//! `me.pushDevices`, never shown to anyone else. Notifications are pushed to them by the worker.

use async_graphql::connection::{Connection, EmptyFields};
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use domain::input::Reason;
use domain::push::{self as rules, Platform};
use entities::push_device;

use crate::auth::Caller;
use crate::auth::policy;
use crate::error::ApiError;
use crate::graphql::connection::{ConnectionTotals, PageArgs, connection_of};
use crate::graphql::ids::{NodeKind, decode_id_of, global_id};
use crate::state::AppState;

/// Where a device gets its pushes from.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::push::Platform")]
pub enum PushPlatform {
    /// Apple Push Notification service (iOS, iPadOS and macOS apps): register the device token.
    Apns,
    /// Firebase Cloud Messaging (Android apps): register the registration token.
    Fcm,
    /// The Web Push protocol (browsers): register the `PushSubscription`, made with
    /// `pushSettings.webPushPublicKey` as its `applicationServerKey`.
    WebPush,
}

/// One of your devices, pushed to whenever you get a notification.
pub struct PushDevice(push_device::Model);

impl PushDevice {
    /// The caller's own device (the only way one is shown).
    pub fn own(caller: &Caller, row: push_device::Model) -> Option<Self> {
        let user = policy::require_user(caller).ok()?;
        (row.user_id == user.id).then_some(Self(row))
    }
}

/// One of your devices, pushed to whenever you get a notification.
#[Object]
impl PushDevice {
    /// The device's ID.
    pub async fn id(&self) -> ID {
        global_id(NodeKind::PushDevice, self.0.id)
    }

    /// Its push service.
    async fn platform(&self) -> Result<PushPlatform, ApiError> {
        Ok(self.0.platform()?.into())
    }

    /// The token's (or the subscription endpoint's) last six characters, to tell devices
    /// apart; the token itself is never shown again.
    async fn token_hint(&self) -> String {
        self.0.hint()
    }

    /// The app it was registered for, if the client said.
    async fn app_id(&self) -> Option<&str> {
        self.0.app_id.as_deref()
    }

    /// Its language, if the client said.
    async fn locale(&self) -> Option<&str> {
        self.0.locale.as_deref()
    }

    /// When it was registered.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When its service last accepted a push for it.
    async fn last_pushed_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_pushed_at
    }
}

/// A browser's `PushSubscription`, as `JSON.stringify(subscription)` gives it.
#[derive(InputObject)]
pub struct WebPushSubscriptionInput {
    /// The push service's URL for this browser.
    pub endpoint: String,
    /// Its keys.
    pub keys: WebPushKeysInput,
}

/// A subscription's keys, base64url.
#[derive(InputObject)]
pub struct WebPushKeysInput {
    /// The browser's P-256 public key.
    #[graphql(name = "p256dh")]
    pub p256dh: String,
    /// Its 16-byte authentication secret.
    pub auth: String,
}

/// A device to push to.
#[derive(InputObject)]
pub struct RegisterPushDeviceInput {
    /// Its push service.
    pub platform: PushPlatform,
    /// APNS and FCM: the token the platform gave the app.
    pub token: Option<String>,
    /// WEB_PUSH: the browser's subscription.
    pub subscription: Option<WebPushSubscriptionInput>,
    /// The app it belongs to (for APNs, the bundle ID pushes are addressed to).
    pub app_id: Option<String>,
    /// Its language (`en`, `pt-BR`).
    pub locale: Option<String>,
}

/// The device registered (or updated, when its token was registered before).
#[derive(SimpleObject)]
pub struct RegisterPushDevicePayload {
    /// The device.
    pub device: PushDevice,
}

/// A device to stop pushing to.
#[derive(InputObject)]
pub struct UnregisterPushDeviceInput {
    /// One of your devices.
    pub device_id: ID,
}

/// The device removed.
#[derive(SimpleObject)]
pub struct UnregisterPushDevicePayload {
    /// Its ID.
    pub device_id: ID,
}

/// What a client needs to register for pushes on this server.
#[derive(SimpleObject)]
pub struct PushSettings {
    /// The services this server pushes through; registering for another is refused.
    pub platforms: Vec<PushPlatform>,
    /// The VAPID public key (base64url) browsers subscribe with; null when Web Push is off.
    pub web_push_public_key: Option<String>,
}

#[derive(Default)]
pub struct PushQuery;

#[Object]
impl PushQuery {
    /// Which push services this server uses, and the key browsers subscribe with. Public.
    async fn push_settings(&self, ctx: &Context<'_>) -> Result<PushSettings, ApiError> {
        let state = ctx.data::<AppState>()?;
        let platforms = [Platform::Apns, Platform::Fcm, Platform::WebPush]
            .into_iter()
            .filter(|p| state.push.serves(*p))
            .map(Into::into)
            .collect();
        Ok(PushSettings {
            platforms,
            web_push_public_key: state.push.vapid.as_ref().map(|k| k.public_key.clone()),
        })
    }
}

#[derive(Default)]
pub struct PushMutation;

#[Object]
impl PushMutation {
    /// Registers one of your devices for pushes: every notification you get is also pushed to
    /// it. Registering a token again updates it (and moves it to you if another account had it).
    async fn register_push_device(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `RegisterPushDeviceInput`.")]
        input: RegisterPushDeviceInput,
    ) -> Result<RegisterPushDevicePayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let user = policy::require_user(caller)?;
        let platform: Platform = input.platform.into();
        let (token, p256dh, auth) = match (platform, input.token, input.subscription) {
            (Platform::Apns, Some(token), None) => (rules::apns_token(&token)?, None, None),
            (Platform::Fcm, Some(token), None) => (rules::fcm_token(&token)?, None, None),
            (Platform::WebPush, None, Some(subscription)) => {
                let keys = &subscription.keys;
                let (p256dh, auth) = rules::web_push_keys(&keys.p256dh, &keys.auth)?;
                let endpoint = subscription.endpoint.trim();
                rules::web_push_endpoint(endpoint, state.settings.push.allow_internal).map_err(
                    |refusal| {
                        ApiError::invalid(
                            "input.subscription.endpoint",
                            Reason::AddressRefused,
                            format!("subscription endpoint refused: {refusal}"),
                        )
                    },
                )?;
                // Stored as the keys decoded, in one spelling (base64url, no padding).
                (
                    endpoint.to_owned(),
                    Some(URL_SAFE_NO_PAD.encode(p256dh)),
                    Some(URL_SAFE_NO_PAD.encode(auth)),
                )
            }
            (Platform::WebPush, _, _) => {
                return Err(ApiError::invalid(
                    "input.subscription",
                    Reason::Required,
                    "WEB_PUSH takes a subscription and no token",
                ));
            }
            _ => {
                return Err(ApiError::invalid(
                    "input.token",
                    Reason::Required,
                    "APNS and FCM take a token and no subscription",
                ));
            }
        };
        let app_id = rules::app_id(input.app_id.as_deref())?;
        let locale = rules::locale(input.locale.as_deref())?;
        // What is given is checked first, then whether this server pushes there.
        if !state.push.serves(platform) {
            return Err(ApiError::invalid(
                "input.platform",
                Reason::NotSupported,
                format!(
                    "this server does not push through {} (see pushSettings.platforms)",
                    platform.as_str()
                ),
            ));
        }
        let new = push_device::NewDevice {
            user_id: user.id,
            platform,
            token,
            p256dh,
            auth,
            app_id,
            locale,
        };
        let write = state.writer.begin(state.clock.now()).await?;
        let row = push_device::register(&*write, new, write.now()).await?;
        write.commit().await?;
        let device = PushDevice::own(caller, row)
            .ok_or_else(|| ApiError::internal(&"a device just registered is not the caller's"))?;
        Ok(RegisterPushDevicePayload { device })
    }

    /// Stops pushing to one of your devices.
    async fn unregister_push_device(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `UnregisterPushDeviceInput`.")]
        input: UnregisterPushDeviceInput,
    ) -> Result<UnregisterPushDevicePayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let user = policy::require_user(ctx.data::<Caller>()?)?;
        let id = decode_id_of(&input.device_id, NodeKind::PushDevice, "input.deviceId")?;
        let write = state.writer.begin(state.clock.now()).await?;
        let removed = push_device::unregister(&*write, id, user.id).await?;
        write.commit().await?;
        if !removed {
            return Err(ApiError::not_found("push device"));
        }
        Ok(UnregisterPushDevicePayload {
            device_id: input.device_id,
        })
    }
}

/// The caller's devices, oldest first: for `me.pushDevices`.
pub async fn own_devices(
    ctx: &Context<'_>,
    first: Option<i32>,
    after: Option<String>,
) -> Result<Connection<String, PushDevice, ConnectionTotals, EmptyFields>, ApiError> {
    let state = ctx.data::<AppState>()?;
    let caller = ctx.data::<Caller>()?;
    let user = policy::require_user(caller)?;
    let request = PageArgs::forward_by_uuid(first, after)?;
    let page = push_device::page_of_user(&state.db, user.id, &request).await?;
    Ok(connection_of(page, |row| {
        let key = row.id.to_string();
        PushDevice::own(caller, row).map(|device| (key, device))
    }))
}

/// A device by ID, for `node(id:)`: the caller's own only.
pub async fn node(
    state: &AppState,
    caller: &Caller,
    id: uuid::Uuid,
) -> Result<Option<PushDevice>, ApiError> {
    let Ok(user) = policy::require_user(caller) else {
        return Ok(None);
    };
    let found = push_device::find_of_user(&state.db, id, user.id).await?;
    Ok(found.and_then(|row| PushDevice::own(caller, row)))
}

impl From<rules::RegistrationError> for ApiError {
    fn from(err: rules::RegistrationError) -> Self {
        Self::refused("input", &err)
    }
}

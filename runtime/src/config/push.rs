//! `REKINDLE_PUSH_*`: the push services.

use std::path::PathBuf;

use anyhow::bail;

use super::parse_bool;
use super::sections::{ApnsSettings, FcmSettings, PushSettings};

/// The push services configured by `REKINDLE_PUSH_*`.
pub(super) fn push_settings(
    var: &impl Fn(&str) -> Option<String>,
    data_dir: &std::path::Path,
    embedded: bool,
) -> anyhow::Result<PushSettings> {
    let apns = match var("PUSH_APNS_KEY_FILE") {
        None => None,
        Some(key_file) => {
            let (Some(key_id), Some(team_id)) = (var("PUSH_APNS_KEY_ID"), var("PUSH_APNS_TEAM_ID"))
            else {
                bail!(
                    "REKINDLE_PUSH_APNS_KEY_FILE needs REKINDLE_PUSH_APNS_KEY_ID and REKINDLE_PUSH_APNS_TEAM_ID"
                );
            };
            Some(ApnsSettings {
                key_file: PathBuf::from(key_file),
                key_id,
                team_id,
                topic: var("PUSH_APNS_TOPIC"),
                url: var("PUSH_APNS_URL")
                    .unwrap_or_else(|| "https://api.push.apple.com".into())
                    .trim_end_matches('/')
                    .to_owned(),
                ca_file: var("PUSH_APNS_CA_FILE").map(PathBuf::from),
            })
        }
    };
    let fcm = var("PUSH_FCM_CREDENTIALS_FILE").map(|file| FcmSettings {
        credentials_file: PathBuf::from(file),
        url: var("PUSH_FCM_URL")
            .unwrap_or_else(|| "https://fcm.googleapis.com".into())
            .trim_end_matches('/')
            .to_owned(),
    });
    let (vapid_key_file, vapid_key_generated) = match var("PUSH_VAPID_KEY_FILE") {
        Some(file) => (Some(PathBuf::from(file)), false),
        None if embedded => (Some(data_dir.join("vapid-key.pem")), true),
        None => (None, false),
    };
    let vapid_subject =
        var("PUSH_VAPID_SUBJECT").unwrap_or_else(|| "mailto:push@rekindle.invalid".into());
    if !(vapid_subject.starts_with("mailto:") || vapid_subject.starts_with("https://")) {
        bail!("REKINDLE_PUSH_VAPID_SUBJECT must be a mailto: or https: URL, not `{vapid_subject}`");
    }
    Ok(PushSettings {
        apns,
        fcm,
        vapid_key_file,
        vapid_key_generated,
        vapid_subject,
        allow_internal: parse_bool(var, "PUSH_ALLOW_INTERNAL", false)?,
    })
}

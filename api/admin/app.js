// The operators' page: plain JavaScript, no build step. It talks to /graphql like any client,
// keeps the access token in memory only, and builds every row with textContent, so nothing a
// member typed can become markup. The refresh token waits in this tab's sessionStorage, so a
// reload continues the session (trading it for new tokens) instead of signing in anew; it goes
// with the tab, and signing out ends the session on the server.
"use strict";

const state = { token: null, refresh: null, me: null };
const KEPT = "rekindle-admin-refresh";

function keep(refreshToken) {
  state.refresh = refreshToken;
  try {
    if (refreshToken) sessionStorage.setItem(KEPT, refreshToken);
    else sessionStorage.removeItem(KEPT);
  } catch (err) {
    // Storage may be off: the session then lasts as long as the page.
  }
}

const $ = (id) => document.getElementById(id);

function show(text, isError) {
  const box = $("message");
  box.textContent = text;
  box.className = isError ? "error" : "";
  box.hidden = !text;
}

function newKey() {
  if (window.crypto && typeof window.crypto.randomUUID === "function") {
    return window.crypto.randomUUID();
  }
  return `${Date.now()}-${Math.random().toString(16).slice(2)}`;
}

// Runs one GraphQL operation; answers `data`, or throws an Error whose message is the API's.
async function gql(query, variables = {}, mutation = false, renewed = false) {
  const headers = { "Content-Type": "application/json" };
  if (state.token) headers.Authorization = `Bearer ${state.token}`;
  // A mutation carries an idempotency key, so a retried click never acts twice.
  if (mutation) headers["Idempotency-Key"] = newKey();
  const response = await fetch("/graphql", {
    method: "POST",
    headers,
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors && body.errors.length) {
    const first = body.errors[0];
    const code = first.extensions && first.extensions.code;
    // An access token lasts 15 minutes: trade the kept refresh token once, then try again.
    if (code === "UNAUTHENTICATED" && !renewed && state.refresh && query !== REFRESH) {
      if (await renew()) return gql(query, variables, mutation, true);
    }
    if (code === "UNAUTHENTICATED") signOut();
    throw new Error(code ? `${first.message} (${code})` : first.message);
  }
  return body.data;
}

function cell(row, text, className) {
  const td = document.createElement("td");
  td.textContent = text === null || text === undefined ? "" : String(text);
  if (className) td.className = className;
  row.appendChild(td);
  return td;
}

function button(label, className, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = label;
  b.className = className;
  b.addEventListener("click", onClick);
  return b;
}

function when(iso) {
  return iso ? new Date(iso).toLocaleString() : "";
}

async function loadHealth() {
  for (const [path, id, key] of [["/healthz", "health-status", "status"], ["/readyz", "ready-status", "status"]]) {
    const target = $(id);
    try {
      const response = await fetch(path);
      const body = await response.json();
      const checks = body.checks ? ` (${Object.entries(body.checks).map(([k, v]) => `${k} ${v}`).join(", ")})` : "";
      target.textContent = `${body[key]}${checks}`;
      target.className = response.ok ? "up" : "down";
    } catch (err) {
      target.textContent = "unreachable";
      target.className = "down";
    }
  }
}

const SVG = "http://www.w3.org/2000/svg";

function svgElement(name, attributes, text) {
  const el = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) el.setAttribute(key, String(value));
  if (text !== undefined) el.textContent = text;
  return el;
}

// Bars per day on a 640 x 200 canvas: counts on the left axis (0, half and the most), the
// first, middle and last dates below.
function drawChart(days) {
  const svg = $("chart");
  while (svg.firstChild) svg.removeChild(svg.firstChild);
  const plot = { left: 40, right: 632, top: 10, bottom: 176 };
  const most = Math.max(1, ...days.map((d) => d.count));
  const span = plot.bottom - plot.top;
  const width = (plot.right - plot.left) / Math.max(1, days.length);
  for (const value of [0, Math.round(most / 2), most]) {
    const y = plot.bottom - (value / most) * span;
    svg.appendChild(svgElement("line", { class: "grid", x1: plot.left, x2: plot.right, y1: y, y2: y }));
    svg.appendChild(svgElement("text", { class: "axis-label", x: plot.left - 6, y: y + 4, "text-anchor": "end" }, value));
  }
  svg.appendChild(svgElement("line", { class: "axis", x1: plot.left, x2: plot.left, y1: plot.top, y2: plot.bottom }));
  svg.appendChild(svgElement("line", { class: "axis", x1: plot.left, x2: plot.right, y1: plot.bottom, y2: plot.bottom }));
  const marks = days.length ? [0, Math.floor((days.length - 1) / 2), days.length - 1] : [];
  for (const i of new Set(marks)) {
    const x = plot.left + i * width + width / 2;
    const anchor = i === 0 ? "start" : i === days.length - 1 ? "end" : "middle";
    const label = new Date(`${days[i].date}T00:00:00`).toLocaleDateString(undefined, { month: "short", day: "numeric" });
    svg.appendChild(svgElement("text", { class: "axis-label", x: anchor === "start" ? plot.left : anchor === "end" ? plot.right : x, y: 194, "text-anchor": anchor }, label));
  }
  days.forEach((day, i) => {
    const height = (day.count / most) * span;
    const rect = document.createElementNS(SVG, "rect");
    rect.setAttribute("class", "bar");
    rect.setAttribute("x", String(plot.left + i * width + 1));
    rect.setAttribute("width", String(Math.max(1, width - 2)));
    rect.setAttribute("y", String(plot.bottom - height));
    rect.setAttribute("height", String(height));
    rect.setAttribute("data-date", day.date);
    rect.setAttribute("data-count", String(day.count));
    const title = document.createElementNS(SVG, "title");
    title.textContent = `${day.date}: ${day.count}`;
    rect.appendChild(title);
    svg.appendChild(rect);
  });
}

const OVERVIEW = `{ admin {
  stats(days: 30) { users disabledUsers activeCouples activePlans completionsPerDay { date count } coach { memberMessages modelReplies fallbacks safetyStops tokens } }
  queues { name waiting scheduled running failed deadLettered doneLastHour failedLastHour }
  outbox { entries oldestAt }
  failedJobs(first: 50) { totalCount edges { node { id queue attempts lastError failedAt } } }
  workers { host version startedAt lastSeenAt alive }
} }`;

// Each list shows the answer to the latest request only: an earlier one answering late (the
// first load racing a search, say) is dropped instead of replacing newer rows.
const latest = { overview: 0, users: 0 };

async function loadOverview() {
  const asked = ++latest.overview;
  const { admin } = await gql(OVERVIEW);
  if (asked !== latest.overview) return;
  const s = admin.stats;
  $("stat-users").textContent = s.users;
  $("stat-disabled").textContent = s.disabledUsers;
  $("stat-couples").textContent = s.activeCouples;
  $("stat-plans").textContent = s.activePlans;
  $("stat-coach-messages").textContent = s.coach.memberMessages;
  $("stat-coach-model").textContent = s.coach.modelReplies;
  $("stat-coach-fallbacks").textContent = s.coach.fallbacks;
  $("stat-coach-safety").textContent = s.coach.safetyStops;
  $("stat-coach-tokens").textContent = s.coach.tokens;
  drawChart(s.completionsPerDay);

  const queues = $("queue-rows");
  queues.replaceChildren();
  for (const q of admin.queues) {
    const row = document.createElement("tr");
    row.dataset.queue = q.name;
    cell(row, q.name);
    for (const n of [q.waiting, q.scheduled, q.running, q.failed, q.deadLettered]) cell(row, n, "num");
    cell(row, q.doneLastHour, "num done-last-hour");
    cell(row, q.failedLastHour, "num failed-last-hour");
    queues.appendChild(row);
  }

  $("outbox-entries").textContent = admin.outbox.entries;
  $("outbox-oldest").textContent = admin.outbox.oldestAt
    ? new Date(admin.outbox.oldestAt).toLocaleString()
    : "none";

  const failed = $("failed-rows");
  failed.replaceChildren();
  for (const { node: job } of admin.failedJobs.edges) {
    const row = document.createElement("tr");
    row.dataset.job = job.id;
    cell(row, job.queue);
    cell(row, job.attempts);
    cell(row, job.lastError, "error-text");
    cell(row, when(job.failedAt));
    const actions = cell(row, "", "actions");
    actions.appendChild(button("Retry", "retry", () => settleJob(job.id, "retryFailedJob", "sent back to its queue")));
    actions.appendChild(button("Discard", "discard", () => settleJob(job.id, "discardFailedJob", "discarded")));
    failed.appendChild(row);
  }
  $("failed-empty").hidden = admin.failedJobs.totalCount !== 0;

  const workers = $("worker-rows");
  workers.replaceChildren();
  for (const w of admin.workers) {
    const row = document.createElement("tr");
    cell(row, w.host);
    cell(row, w.version);
    cell(row, when(w.startedAt));
    cell(row, when(w.lastSeenAt));
    cell(row, w.alive ? "alive" : "silent", w.alive ? "up" : "down");
    workers.appendChild(row);
  }
}

async function settleJob(id, mutation, done) {
  try {
    await gql(`mutation($id: ID!) { ${mutation}(input: { failedJobId: $id }) { failedJob { id } } }`, { id }, true);
    show(`The job was ${done}.`, false);
    await loadOverview();
  } catch (err) {
    show(err.message, true);
  }
}

const USERS = `query($s: String) { admin { users(search: $s, first: 50) { edges { node {
  id email displayName role disabled liveSessions } } } } }`;

async function searchUsers() {
  const search = $("user-query").value.trim();
  const asked = ++latest.users;
  const { admin } = await gql(USERS, { s: search || null });
  if (asked !== latest.users) return;
  const rows = $("user-rows");
  rows.replaceChildren();
  for (const { node: u } of admin.users.edges) {
    const row = document.createElement("tr");
    row.dataset.user = u.id;
    cell(row, u.email);
    cell(row, u.displayName);
    cell(row, u.role.toLowerCase());
    cell(row, u.disabled ? "disabled" : "active", "state");
    cell(row, u.liveSessions, "num");
    const actions = cell(row, "", "actions");
    if (u.id === state.me) {
      // Operators cannot disable or sign out their own account (the API refuses too).
      row.className = "me";
      actions.textContent = "you";
    } else if (u.disabled) {
      actions.appendChild(button("Enable", "enable", () => actOnUser(u.id, "enableUser", "enabled")));
    } else {
      actions.appendChild(button("Disable", "disable", () => actOnUser(u.id, "disableUser", "disabled; its sessions ended")));
      actions.appendChild(button("Sign out everywhere", "revoke", () => actOnUser(u.id, "revokeUserSessions", "signed out everywhere")));
    }
    rows.appendChild(row);
  }
}

async function actOnUser(id, mutation, done) {
  try {
    await gql(`mutation($id: ID!) { ${mutation}(input: { userId: $id }) { user { id } } }`, { id }, true);
    show(`The account was ${done}.`, false);
    await Promise.all([searchUsers(), loadOverview()]);
  } catch (err) {
    show(err.message, true);
  }
}

async function refresh() {
  try {
    await Promise.all([loadHealth(), loadOverview(), searchUsers()]);
  } catch (err) {
    show(err.message, true);
  }
}

const LOGIN = `mutation($e: String!, $p: String!) { login(input: { email: $e, password: $p }) {
  accessToken refreshToken user { id email role } } }`;
const REFRESH = `mutation($t: String!) { refreshSession(input: { refreshToken: $t }) {
  accessToken refreshToken user { id email role } } }`;

// New tokens for the kept refresh token; false when the session is over. Requests that find
// the access token lapsed at the same moment share one renewal: a refresh token works once, and
// presenting it twice would end the session.
let renewing = null;

function renew() {
  if (!renewing) renewing = renewOnce().finally(() => { renewing = null; });
  return renewing;
}

async function renewOnce() {
  try {
    state.token = null;
    const { refreshSession } = await gql(REFRESH, { t: state.refresh }, true, true);
    state.token = refreshSession.accessToken;
    keep(refreshSession.refreshToken);
    return true;
  } catch (err) {
    return false;
  }
}

// Shows the dashboard for an administrator's fresh tokens.
async function enter(tokens) {
  state.token = tokens.accessToken;
  state.me = tokens.user.id;
  keep(tokens.refreshToken);
  $("whoami").textContent = tokens.user.email;
  $("signin").hidden = true;
  $("session").hidden = false;
  $("dashboard").hidden = false;
  await refresh();
}

// Continues the session this tab kept, if any: a reload does not sign in again.
async function resume() {
  let kept = null;
  try {
    kept = sessionStorage.getItem(KEPT);
  } catch (err) {
    kept = null;
  }
  if (!kept) return;
  try {
    const { refreshSession } = await gql(REFRESH, { t: kept }, true);
    if (refreshSession.user.role !== "ADMIN") throw new Error("not an administrator");
    await enter(refreshSession);
  } catch (err) {
    keep(null);
  }
}

async function signIn(event) {
  event.preventDefault();
  const error = $("signin-error");
  error.hidden = true;
  try {
    const { login } = await gql(LOGIN, { e: $("email").value, p: $("password").value }, true);
    if (login.user.role !== "ADMIN") {
      // End the session just made: this page is no place for it.
      state.refresh = login.refreshToken;
      signOut();
      throw new Error("This page is for administrators only.");
    }
    $("password").value = "";
    await enter(login);
  } catch (err) {
    state.token = null;
    error.textContent = err.message;
    error.hidden = false;
  }
}

// Forgets the token and ends the session on the server (a failure there changes nothing here).
function signOut() {
  const refresh = state.refresh;
  keep(null);
  state.me = null;
  if (refresh) {
    const logout = "mutation($t: String!) { logout(input: { refreshToken: $t }) { revoked } }";
    gql(logout, { t: refresh }, true).catch(() => {});
  }
  state.token = null;
  $("dashboard").hidden = true;
  $("session").hidden = true;
  $("signin").hidden = false;
}

document.addEventListener("DOMContentLoaded", () => {
  $("signin").addEventListener("submit", signIn);
  $("signout").addEventListener("click", signOut);
  $("refresh").addEventListener("click", refresh);
  $("user-search").addEventListener("submit", (event) => {
    event.preventDefault();
    searchUsers().catch((err) => show(err.message, true));
  });
  resume();
});

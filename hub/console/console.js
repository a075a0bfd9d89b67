// The mediator's console: the queue, the case, the call, the merchant's link, the colleagues
// asked in, the outcome.
"use strict";

const $ = (id) => document.getElementById(id);
let room = null;
let current = null;
let muted = false;

async function api(method, path, body) {
  const response = await fetch("/console/api" + path, {
    method,
    headers: body ? { "Content-Type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  if (response.status === 401) { location.href = "/console/login"; throw new Error("login"); }
  if (!response.ok) {
    let said = response.statusText;
    try { const problem = await response.json(); said = problem.detail || problem.title || said; } catch (_) { /* not JSON */ }
    showError(said);
    throw new Error(said);
  }
  $("error").hidden = true;
  return response.json();
}

// What went wrong, on the page in words (never only in the browser's console).
function showError(said) {
  $("error").textContent = "⚠ 没有办成 Not done: " + said;
  $("error").hidden = false;
}

function minutesSince(iso) {
  return Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 60000)) + " min";
}

async function refreshQueue() {
  const rows = await api("GET", "/queue");
  const body = $("queue").querySelector("tbody");
  body.replaceChildren();
  const waiting = rows.filter((r) => r.state === "waiting");
  $("queue-empty").hidden = waiting.length > 0;
  $("take-next").disabled = waiting.length === 0 || current !== null;
  for (const row of rows) {
    const tr = document.createElement("tr");
    tr.dataset.mediation = row.mediation_id;
    const told = (row.complaint || {}).body || {};
    const summary = [row.category, (told.facts || "").slice(0, 40)].filter(Boolean).join(": ");
    for (const cell of [row.position || "-", row.case_number, summary, row.room || row.device_id,
      stateWords(row), minutesSince(row.joined_at)]) {
      const td = document.createElement("td");
      td.textContent = cell;
      tr.append(td);
    }
    tr.lastChild.dataset.since = row.joined_at;
    if (row.state === "in_call" && !row.room_on_line) tr.classList.add("overdue");
    const actions = document.createElement("td");
    // A call of this login's that no page holds (the page was reloaded, the kiosk died):
    // back into it, or closed without an outcome so the consumer may queue again.
    if (row.mine && row.state === "in_call" && (current === null || current.mediation_id !== row.mediation_id)) {
      const resume = document.createElement("button");
      resume.textContent = "回到通话 Resume the call";
      resume.className = "resume";
      resume.disabled = current !== null;
      resume.onclick = async () => enterCall(await api("GET", `/mediations/${row.mediation_id}`), true);
      const close = document.createElement("button");
      close.textContent = "结束通话 Close the call";
      close.className = "close-call danger";
      close.onclick = () => closeStale(row);
      actions.append(resume, close);
    }
    tr.append(actions);
    body.append(tr);
  }
  $("own-calls").hidden = !rows.some((r) => r.mine && r.state === "in_call" && current === null);
}

function stateWords(row) {
  if (row.state === "waiting") return "等候 waiting";
  const line = row.room_on_line ? "" : " ⚠ 调解室已断线 the room is off the line";
  return "通话中 in call (" + row.taken_by + ")" + line;
}

async function closeStale(row) {
  const why = row.room_on_line
    ? "调解员结束通话 closed by the mediator"
    : "调解室断线 the room's link was lost";
  if (!confirm("不记录结果就结束这个通话？群众可以重新排队。\nClose this call without an outcome? The consumer may queue again.")) return;
  await api("POST", `/mediations/${row.mediation_id}/close`, { reason: why });
  refreshQueue();
}

function showComplaint(complaint) {
  const fields = $("fields");
  fields.replaceChildren();
  const add = (name, value) => {
    const dt = document.createElement("dt");
    dt.textContent = name;
    const dd = document.createElement("dd");
    dd.textContent = typeof value === "object" ? JSON.stringify(value) : String(value);
    fields.append(dt, dd);
  };
  add("receipt", complaint.receipt_number || "");
  for (const [name, value] of Object.entries(complaint.body || {})) add(name, value);
  const files = $("files");
  files.replaceChildren();
  for (const file of complaint.files || []) {
    const media = file.content_type.startsWith("image/")
      ? Object.assign(document.createElement("img"), { alt: "photo" })
      : Object.assign(document.createElement("audio"), { controls: true });
    media.src = file.url;
    files.append(media);
  }
}

async function refreshCallbacks() {
  const rows = await api("GET", "/callbacks");
  const body = $("callbacks").querySelector("tbody");
  body.replaceChildren();
  $("callbacks-none").hidden = rows.length > 0;
  for (const row of rows) {
    const tr = document.createElement("tr");
    tr.dataset.callback = row.id;
    for (const cell of [row.case_number, row.phone, row.device_id,
      new Date(row.requested_at).toLocaleString()]) {
      const td = document.createElement("td");
      td.textContent = cell;
      tr.append(td);
    }
    const done = document.createElement("button");
    done.textContent = "已回电 Called back";
    done.onclick = async () => { await api("POST", `/callbacks/${row.id}/done`); refreshCallbacks(); };
    const td = document.createElement("td");
    td.append(done);
    tr.append(td);
    body.append(tr);
  }
}

function refreshAll() {
  refreshQueue();
  refreshCallbacks();
  refreshInvitations();
}

// While this page is open the hub counts this mediator as online: the kiosks' waiting rooms
// estimate the wait from the mediators online, and say so when there are none.
function stayOnline(tries = 0) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const socket = new WebSocket(`${scheme}//${location.host}/console/api/presence`);
  socket.onopen = () => { tries = 0; refreshAll(); };
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.type === "online") {
      $("presence").textContent = "在线：调解室看得到您 Online: the rooms see you";
    } else if (message.type === "queue-changed") {
      refreshAll();
    }
  };
  socket.onclose = () => {
    $("presence").textContent = "离线，正在重连… Offline, reconnecting…";
    if (tries > 0) showError("与调解中心的连接断了，正在重连。The link to the hub is lost; reconnecting.");
    setTimeout(() => stayOnline(tries + 1), Math.min(10000, 500 * 2 ** tries));
  };
}

async function refreshInvitations() {
  const rows = await api("GET", "/invitations");
  const body = $("invitations").querySelector("tbody");
  body.replaceChildren();
  $("invitations-panel").hidden = rows.length === 0;
  for (const row of rows) {
    const tr = document.createElement("tr");
    tr.dataset.mediation = row.mediation_id;
    for (const cell of [row.case_number, row.invited_by]) {
      const td = document.createElement("td");
      td.textContent = cell;
      tr.append(td);
    }
    const join = document.createElement("button");
    join.textContent = "加入通话 Join the call";
    join.disabled = current !== null;
    join.onclick = () => joinAsColleague(row.mediation_id);
    const td = document.createElement("td");
    td.append(join);
    tr.append(td);
    body.append(tr);
  }
}

async function takeNext() {
  await enterCall(await api("POST", "/take-next"), true);
}

async function joinAsColleague(mediationId) {
  await enterCall(await api("GET", `/mediations/${mediationId}`), false);
}

// The holder records the outcome and asks others in; a colleague asked in talks and leaves.
async function enterCall(mediation, holding) {
  current = mediation;
  for (const el of document.querySelectorAll("#call-panel .holder")) el.hidden = !holding;
  for (const el of document.querySelectorAll("#call-panel .colleague")) el.hidden = holding;
  $("call-panel").hidden = false;
  $("case-number").textContent = current.case_number;
  showComplaint(current.complaint || {});
  const stream = await localMedia(holding);
  $("self-video").srcObject = stream;
  room = new MediationRoom(signalUrl(current.mediation_id), stream, {
    state: (peer, role, state) => { $("call-state").textContent = `${role}: ${state}`; },
    muted: (peer, role, isMuted) => {
      $("call-state").textContent = `${role}: ${isMuted ? "静音 muted" : "开麦 unmuted"}`;
    },
    message: (message) => {
      if (message.type === "recording") {
        $("recording-state").hidden = !message.on;
      } else if (message.type === "notice" && message.what === "cannot_hear") {
        $("call-state").textContent = "调解室听不见，请检查麦克风或说大声些。The room cannot hear you.";
      } else if (message.type === "joined") {
        $("call-state").textContent = `${message.role}: 已加入 joined`;
      }
    },
    parties: (parties) => showParties(parties, holding),
    moderated: (message, mine) => {
      if (mine) $("call-state").textContent = moderatedWords(message);
      mutedParties[message.peer] = message.muted && !message.removed;
      if (room) showParties([...room.known.values()], holding);
    },
    rejoining: () => { $("call-state").textContent = "连接中断，正在重连… Reconnecting…"; },
    rejoined: () => { $("call-state").textContent = "已重新连接。Reconnected."; },
  }, true);
  window.mediationRoom = room;
  await room.connect();
  refreshQueue();
  if (holding) await listColleagues();
}

// Who is in the call, by role, name and organisation; the holder may turn a party's
// microphone off (at the SFU, for everyone) or send a party out of the call.
const mutedParties = {};
function showParties(parties, holding) {
  const list = $("party-list");
  list.replaceChildren();
  for (const party of parties) {
    const item = document.createElement("li");
    item.dataset.peer = party.peer;
    item.dataset.role = party.role;
    const label = document.createElement("span");
    label.textContent = partyLabel(party) + (mutedParties[party.peer] ? "（已静音 muted）" : "");
    item.append(label);
    if (holding && party.role !== "mediator") {
      const mute = document.createElement("button");
      mute.className = "mute-party";
      const muted = Boolean(mutedParties[party.peer]);
      mute.textContent = muted ? "打开麦克风 Unmute" : "关闭麦克风 Mute";
      mute.onclick = () => moderate(party.peer, "mute", { muted: !muted });
      item.append(" ", mute);
      if (party.role !== "room") {
        const remove = document.createElement("button");
        remove.className = "remove-party danger";
        remove.textContent = "请出通话 Remove";
        remove.onclick = () => {
          if (confirm(`请 ${partyLabel(party)} 离开通话？ Remove them from the call?`)) {
            moderate(party.peer, "remove");
          }
        };
        item.append(" ", remove);
      }
    }
    list.append(item);
  }
}

async function moderate(peer, what, body) {
  try {
    await api("POST", `/mediations/${current.mediation_id}/parties/${peer}/${what}`, body || {});
  } catch (error) {
    showError(error.message);
  }
}

async function listColleagues() {
  const select = $("colleague-name");
  select.replaceChildren(new Option("请选择 Choose…", ""));
  for (const colleague of await api("GET", `/mediations/${current.mediation_id}/colleagues`)) {
    select.append(new Option(`${colleague.username} — ${colleague.bureau}`, colleague.username));
  }
}

async function askColleague(event) {
  event.preventDefault();
  const username = $("colleague-name").value;
  try {
    await api("POST", `/mediations/${current.mediation_id}/colleagues`, { username });
    $("colleague-said").textContent = `已邀请 ${username} Asked in`;
    $("ask-colleague").reset();
  } catch (error) {
    $("colleague-said").textContent = "没能邀请：" + error.message;
  }
}

function closeCall() {
  if (room) room.leave();
  $("recording-state").hidden = true;
  room = null;
  current = null;
  $("outcome").reset();
  $("outcome").hidden = true;
  $("invite-link").hidden = true;
  $("colleague-said").textContent = "";
  $("call-panel").hidden = true;
  refreshQueue();
  refreshInvitations();
}

async function invite() {
  const { url } = await api("POST", `/mediations/${current.mediation_id}/invite`);
  $("invite-url").value = url;
  $("invite-link").hidden = false;
}

function toggleMute() {
  muted = !muted;
  room.setMuted(muted);
  $("mute").textContent = muted ? "取消静音 Unmute" : "静音 Mute";
}

function askEnd() {
  if (confirm("结束调解并记录结果？ End the mediation and record the outcome?")) $("outcome").hidden = false;
}

async function saveOutcome(event) {
  event.preventDefault();
  const form = new FormData($("outcome"));
  const body = {
    result: form.get("result"),
    terms: form.get("terms") || "",
    next_step: form.get("next_step") || "",
    new_time: form.get("new_time") ? new Date(form.get("new_time")).toISOString() : null,
    // Yuan as typed, kept in whole fen (no floating point on the way).
    amount_fen: form.get("amount") ? Math.round(Number(form.get("amount")) * 100) : null,
  };
  await api("POST", `/mediations/${current.mediation_id}/outcome`, body);
  closeCall();
}

(async () => {
  const me = await fetch("/console/api/me");
  if (!me.ok) { location.href = "/console/login"; return; }
  $("me").textContent = (await me.json()).username;
  $("take-next").onclick = takeNext;
  $("invite").onclick = invite;
  $("mute").onclick = toggleMute;
  $("end").onclick = askEnd;
  $("outcome").onsubmit = saveOutcome;
  $("ask-colleague").onsubmit = askColleague;
  $("leave").onclick = closeCall;
  stayOnline();
  // From a case's page: this consumer, taken only with a click here (opening never calls).
  // From a case's page: the video call with a consumer from afar, begun there (the text
  // with the link is on its way): straight into it.
  const calling = new URLSearchParams(location.search).get("call");
  if (calling) await enterCall(await api("GET", `/mediations/${encodeURIComponent(calling)}`), true);
  const asked = new URLSearchParams(location.search).get("take");
  if (asked) {
    $("take-this").hidden = false;
    $("take-this-button").onclick = async () => {
      $("take-this").hidden = true;
      await enterCall(await api("POST", `/mediations/${encodeURIComponent(asked)}/take`), true);
    };
  }
  await refreshQueue();
  await refreshCallbacks();
  await refreshInvitations();
  // No polling: the presence socket says "queue-changed" whenever the queue, the callbacks
  // or the invitations change; only the minutes waited tick here, from what is shown.
  setInterval(() => {
    for (const cell of document.querySelectorAll("#queue td[data-since]")) {
      cell.textContent = minutesSince(cell.dataset.since);
    }
  }, 30000);
})();

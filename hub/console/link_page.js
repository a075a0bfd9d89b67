// The pages the one-time links open: the merchant's (the link the mediator sent) and the
// consumer's from afar (the link the text message brought, on a phone). The page's
// `data-party` says whose.
"use strict";

async function joinByLink(party) {
  const params = new URLSearchParams(location.search);
  const state = document.getElementById("call-state");
  // The consumer from afar shows small on the others' screens too: 360p at 15 fps.
  const stream = await localMedia(false);
  document.getElementById("self-video").srcObject = stream;
  const room = new MediationRoom(
    signalUrl(params.get("m"), "?invite=" + encodeURIComponent(params.get("invite") || "")),
    stream,
    {
      message: (m) => {
        if (m.type === "recording") document.getElementById("recording-state").hidden = !m.on;
        if (m.type === "outcome") {
          document.getElementById("recording-state").hidden = true; // the record ends with it
          state.textContent = "调解已结束。The mediation has ended.";
          if (m.outcome.result === "settled") showAgreement();
        }
      },
      closed: () => { if (!room.closed) state.textContent = "连接已断开。Disconnected."; },
      moderated: (message, mine) => { if (mine) state.textContent = moderatedWords(message); },
    },
  );
  window.mediationRoom = room;
  try {
    await room.connect();
    state.textContent = "已连接。Connected.";
  } catch (error) {
    state.textContent = "这个链接已用过或已过期。This link was used already or has expired.";
    return;
  }
  // A settled outcome is an agreement: read here, confirmed by a click, and kept as a PDF.
  // The link's token says whose page this is (the merchant's, or the consumer's).
  const agreementUrl = `/v1/mediations/${encodeURIComponent(params.get("m"))}/link-agreement`;
  const key = "?invite=" + encodeURIComponent(params.get("invite") || "");
  const LABELS = [["case_number", "案件编号 Case number"], ["facts", "纠纷事实 What happened"],
    ["terms", "协议内容 Agreed terms"], ["amount", "商家退还消费者 The merchant gives back"],
    ["next_step", "履行方式 Next step"], ["bureau", "调解机构 Mediated by"], ["made_on", "日期 Date"]];
  function showAgreementText(agreement) {
    const lines = document.getElementById("agreement-lines");
    lines.replaceChildren();
    const shown = { ...agreement,
      amount: agreement.amount_fen ? `¥${(agreement.amount_fen / 100).toFixed(2)}` : "" };
    for (const party of agreement.parties) {
      shown[party.role] = [party.name, party.organisation].filter(Boolean).join(" · ");
    }
    const rows = [["consumer", "消费者 Consumer"], ["merchant", "商家 Merchant"],
      ["mediator", "调解员 Mediator"], ...LABELS];
    for (const [field, label] of rows) {
      if (!shown[field]) continue;
      const term = document.createElement("dt");
      term.textContent = label;
      const value = document.createElement("dd");
      value.textContent = shown[field];
      lines.append(term, value);
    }
    const confirmed = Boolean(agreement[`${party}_confirmed_at`]);
    document.getElementById("confirm-agreement").hidden = confirmed;
    document.getElementById("agreement-state").textContent = confirmed
      ? "您已确认这份协议。You confirmed the agreement." : "请阅读后确认。Please read it, then confirm.";
    const pdf = document.getElementById("agreement-pdf");
    pdf.href = agreementUrl + ".pdf" + key;
    pdf.hidden = false;
    document.getElementById("agreement").hidden = false;
  }
  async function showAgreement() {
    const response = await fetch(agreementUrl + key);
    if (response.ok) showAgreementText(await response.json());
  }
  document.getElementById("confirm-agreement").onclick = async () => {
    const response = await fetch(agreementUrl + "/confirm" + key, { method: "POST" });
    if (response.ok) showAgreementText(await response.json());
    else document.getElementById("agreement-state").textContent = "没有确认成功，请再试一次。Not confirmed: please try again.";
  };
  const agree = document.getElementById("agree-recording");
  if (agree) {
    agree.onclick = () => {
      room.send({ type: "consent", recording: true });
      document.getElementById("consent").textContent = "您已同意录像。You agreed to the recording.";
    };
  }
  let muted = false;
  const mute = document.getElementById("mute");
  const words = mute.textContent;
  mute.onclick = () => {
    muted = !muted;
    room.setMuted(muted);
    mute.textContent = muted ? "开麦克风 Microphone on" : words;
  };
  document.getElementById("leave").onclick = () => { room.leave(); state.textContent = "您已离开。You left."; };
}

joinByLink(document.body.dataset.party);

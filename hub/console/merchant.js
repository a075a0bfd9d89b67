// The merchant's page: opened from the one-time link the mediator sent.
"use strict";

(async () => {
  const params = new URLSearchParams(location.search);
  const state = document.getElementById("call-state");
  const stream = await localMedia();
  document.getElementById("self-video").srcObject = stream;
  const room = new MediationRoom(
    signalUrl(params.get("m"), "?invite=" + encodeURIComponent(params.get("invite") || "")),
    stream,
    {
      message: (m) => {
        if (m.type === "outcome") state.textContent = "调解已结束。The mediation has ended.";
      },
      closed: () => { if (!room.closed) state.textContent = "连接已断开。Disconnected."; },
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
  let muted = false;
  document.getElementById("mute").onclick = () => { muted = !muted; room.setMuted(muted); };
  document.getElementById("leave").onclick = () => { room.leave(); state.textContent = "您已离开。You left."; };
})();

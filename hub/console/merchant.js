// The merchant's page: opened from the one-time link the mediator sent.
"use strict";

(async () => {
  const params = new URLSearchParams(location.search);
  const state = document.getElementById("call-state");
  const stream = await localMedia(false);
  document.getElementById("self-video").srcObject = stream;
  const room = new MediationRoom(
    signalUrl(params.get("m"), "?invite=" + encodeURIComponent(params.get("invite") || "")),
    stream,
    {
      message: (m) => {
        if (m.type === "outcome") state.textContent = "调解已结束。The mediation has ended.";
      },
      closed: () => { if (!room.closed) state.textContent = "连接已断开。Disconnected."; },
      moderated: (message, mine) => {
        if (mine && message.removed) {
          state.textContent = "调解员请您离开了通话。The mediator removed you from the call.";
        } else if (mine) {
          state.textContent = message.muted
            ? "调解员关闭了您的麦克风。The mediator turned your microphone off."
            : "调解员打开了您的麦克风。The mediator turned your microphone on.";
        }
      },
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

// The browser's side of a mediation room, signalled through the hub's WebSocket. When the
// hub has an SFU (the welcome says `sfu`), this page publishes its camera and microphone once
// ("publish", answered "published") and answers the hub's offer of each other party, one
// receiving RTCPeerConnection each. Without one, the room is a small mesh: a newcomer offers
// to everyone already there. Offers and answers carry every candidate (gathering finishes
// first), so the kiosk (aiortc) needs no trickle. When a party asks for a restart (its media
// stalled), the offerer renegotiates that party with a fresh connection: a new ICE session.
"use strict";

const ROLE_NAMES = {
  room: "消费者（调解室）Consumer (room)",
  consumer: "消费者 Consumer",
  mediator: "调解员 Mediator",
  colleague: "协助调解员 Assisting mediator",
  merchant: "商家 Merchant",
};

// A party's label: its role, then its name and organisation.
function partyLabel(party) {
  const who = [party.name, party.organisation].filter(Boolean).join(" · ");
  return (ROLE_NAMES[party.role] || party.role) + (who ? " — " + who : "");
}

const REFUSED = 4403; // the hub's close code: not (or no longer) admitted to this room
const REJOIN_WAITS_MS = [500, 1000, 2000, 4000];

class MediationRoom {
  // `rejoin`: when the signaling drops (a hub restart, a network blip), connect again. Not
  // for the merchant, whose one-time link opens the room once.
  constructor(signalUrl, localStream, events, rejoin) {
    this.signalUrl = signalUrl;
    this.local = localStream;
    this.events = events || {};
    this.rejoin = Boolean(rejoin);
    this.peers = new Map(); // peer id -> { pc, role, video }
    this.known = new Map(); // peer id -> { peer, role, name, organisation }: who is in the room
    this.sfu = false;
    this.publisher = null;
    this.iceServers = [];
    this.me = null;
    this.closed = false;
    this.tries = 0;
  }

  connect() {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(this.signalUrl);
      let welcomed = false;
      this.socket = socket;
      socket.onmessage = (event) => this.onMessage(JSON.parse(event.data), (message) => {
        welcomed = true;
        this.tries = 0;
        resolve(message);
      });
      socket.onclose = (event) => {
        if (socket !== this.socket) return;
        if (!welcomed) reject(new Error("refused: " + event.code));
        if (this.events.closed) this.events.closed(event.code);
        if (this.rejoin && this.me && !this.closed && event.code !== REFUSED) this.rejoinLater();
      };
    });
  }

  // Connect again after a growing wait. The others hear that the old peer left and drop
  // it; once back, this side offers afresh to everyone there, within the same call.
  rejoinLater() {
    const wait = REJOIN_WAITS_MS[Math.min(this.tries, REJOIN_WAITS_MS.length - 1)];
    this.tries += 1;
    if (this.events.rejoining) this.events.rejoining();
    setTimeout(() => {
      if (!this.closed) this.connect().catch(() => {});
    }, wait);
  }

  send(message) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(message));
    }
  }

  async onMessage(message, onWelcome) {
    switch (message.type) {
      case "welcome": {
        const rejoined = this.me !== null;
        this.me = message.peer;
        this.iceServers = message.ice_servers || [];
        this.sfu = Boolean(message.sfu);
        this.known = new Map(message.peers.map((other) => [other.peer, other]));
        const present = new Set(message.peers.map((other) => other.peer));
        for (const peer of [...this.peers.keys()]) {
          if (this.sfu || !present.has(peer)) this.drop(peer);
        }
        if (this.sfu) await this.publish();
        else for (const other of message.peers) await this.offerTo(other.peer, other.role);
        this.partiesChanged();
        onWelcome(message);
        if (rejoined && this.events.rejoined) this.events.rejoined();
        break;
      }
      case "joined":
        this.known.set(message.from, { peer: message.from, role: message.role,
          name: message.name || "", organisation: message.organisation || "" });
        this.partiesChanged();
        if (this.events.message) this.events.message(message);
        break;
      case "published":
        if (this.publisher && this.publisher.signalingState === "have-local-offer") {
          await this.publisher.setRemoteDescription({ type: "answer", sdp: message.sdp });
        }
        break;
      case "moderated":
        if (message.peer === this.me && !message.removed) {
          for (const track of this.local.getAudioTracks()) track.enabled = !message.muted;
        }
        if (message.peer === this.me && message.removed) this.closed = true;
        if (this.events.moderated) this.events.moderated(message, message.peer === this.me);
        break;
      case "offer":
        await this.answer(message);
        break;
      case "answer": {
        const entry = this.peers.get(message.from);
        if (entry) await entry.pc.setRemoteDescription({ type: "answer", sdp: message.sdp });
        break;
      }
      case "restart":
        await this.offerTo(message.from, message.role);
        break;
      case "left":
        this.known.delete(message.from);
        this.drop(message.from);
        this.partiesChanged();
        if (this.events.message) this.events.message(message);
        break;
      case "mute":
        if (this.events.muted) this.events.muted(message.from, message.role, message.muted);
        break;
      case "refused": // a bug here: the hub did not take a message this page sent
        console.warn("the hub refused a message: " + message.detail);
        break;
      default:
        if (this.events.message) this.events.message(message);
    }
  }

  // Who is in the room now (the page lists them, with mute and remove for the mediator).
  partiesChanged() {
    if (this.events.parties) this.events.parties([...this.known.values()]);
  }

  // Through the SFU: this page's camera and microphone, once for everyone. A publication
  // that fails is made again, within the same call.
  async publish() {
    if (this.publisher) this.publisher.close();
    const pc = new RTCPeerConnection({ iceServers: this.iceServers });
    this.publisher = pc;
    for (const track of this.local.getTracks()) pc.addTrack(track, this.local);
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === "failed" && this.publisher === pc && !this.closed) this.publish();
    };
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    this.send({ type: "publish", sdp: pc.localDescription.sdp });
  }

  makePeer(peer, role) {
    this.drop(peer);
    const pc = new RTCPeerConnection({ iceServers: this.iceServers });
    const entry = { pc, role, video: this.videoFor(peer, role) };
    this.peers.set(peer, entry);
    // Through the SFU this connection only receives: the page published once.
    if (!this.sfu) for (const track of this.local.getTracks()) pc.addTrack(track, this.local);
    // One element plays a party's voice and picture, whichever streams they come in (the
    // room sends them apart, so that its picture is not held back to match its voice).
    pc.ontrack = (event) => {
      if (!entry.video.srcObject) entry.video.srcObject = new MediaStream();
      entry.video.srcObject.addTrack(event.track);
    };
    pc.onconnectionstatechange = () => {
      if (this.events.state) this.events.state(peer, role, pc.connectionState);
    };
    return entry;
  }

  videoFor(peer, role) {
    const figure = document.createElement("figure");
    figure.dataset.peer = peer;
    figure.dataset.role = role;
    const video = document.createElement("video");
    video.autoplay = true;
    video.playsInline = true;
    const caption = document.createElement("figcaption");
    caption.textContent = partyLabel(this.known.get(peer) || { role });
    figure.append(video, caption);
    document.getElementById("videos").append(figure);
    return video;
  }

  async offerTo(peer, role) {
    const { pc } = this.makePeer(peer, role);
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    this.send({ type: "offer", to: peer, sdp: pc.localDescription.sdp });
  }

  async answer(message) {
    const { pc } = this.makePeer(message.from, message.role);
    await pc.setRemoteDescription({ type: "offer", sdp: message.sdp });
    await pc.setLocalDescription(await pc.createAnswer());
    await gathered(pc);
    this.send({ type: "answer", to: message.from, sdp: pc.localDescription.sdp });
  }

  drop(peer) {
    const entry = this.peers.get(peer);
    if (!entry) return;
    entry.pc.close();
    this.peers.delete(peer);
    entry.video.parentElement.remove();
  }

  setMuted(muted) {
    for (const track of this.local.getAudioTracks()) track.enabled = !muted;
    this.send({ type: "mute", muted });
  }

  leave() {
    this.closed = true;
    this.send({ type: "leave" });
    for (const peer of [...this.peers.keys()]) this.drop(peer);
    if (this.publisher) this.publisher.close();
    if (this.socket) this.socket.close();
  }

  // What the tests and the benchmark read: for each party, video frames decoded and the
  // energy of the audio heard from it.
  async stats() {
    const out = {};
    for (const [peer, entry] of this.peers) {
      const report = await entry.pc.getStats();
      const row = { role: entry.role, state: entry.pc.connectionState, framesDecoded: 0,
        audioEnergy: 0, audioPackets: 0, framesPerSecond: 0, frameWidth: 0 };
      report.forEach((s) => {
        if (s.type === "inbound-rtp" && s.kind === "video") {
          row.framesDecoded = s.framesDecoded || 0;
          row.framesPerSecond = s.framesPerSecond || 0;
          row.frameWidth = s.frameWidth || 0;
        }
        if (s.type === "inbound-rtp" && s.kind === "audio") {
          row.audioEnergy = s.totalAudioEnergy || 0;
          row.audioPackets = s.packetsReceived || 0;
        }
      });
      out[peer] = row;
    }
    return out;
  }
}

// What a party's page says when the mediator muted, unmuted or removed it.
function moderatedWords(message) {
  if (message.removed) return "调解员请您离开了通话。The mediator removed you from the call.";
  return message.muted
    ? "调解员关闭了您的麦克风。The mediator turned your microphone off."
    : "调解员打开了您的麦克风。The mediator turned your microphone on.";
}

function gathered(pc) {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      if (pc.iceGatheringState === "complete") {
        pc.removeEventListener("icegatheringstatechange", done);
        resolve();
      }
    };
    pc.addEventListener("icegatheringstatechange", done);
    setTimeout(resolve, 2000); // a slow STUN server must not hold the call up
  });
}

function signalUrl(mediationId, query) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/v1/mediations/${mediationId}/signal${query || ""}`;
}

// The camera and microphone. The mediator, whom the room shows large, sends 720p at 30 fps;
// the others, shown small beside, 360p at 15: every stream the room's small computer
// decodes counts, and a party in a small view needs no more.
async function localMedia(large = true) {
  return navigator.mediaDevices.getUserMedia({
    video: large
      ? { width: 1280, height: 720, frameRate: 30 }
      : { width: 640, height: 360, frameRate: { ideal: 15, max: 15 } },
    audio: true,
  });
}

// A live video call: the browser offers one audio and one video
// transceiver, both ways, to the service's media server, shows the other
// side, and follows the room's state, which the server decides (a paused
// or ended call is enforced there; this only says so).
(function () {
  "use strict";
  var root = document.getElementById("live-call");
  if (!root) return;
  var id = root.getAttribute("data-call");
  var csrf = root.getAttribute("data-csrf");
  var stateBox = document.getElementById("call-state");
  var remote = document.getElementById("remote-video");
  var local = document.getElementById("local-video");
  var pc = null;
  var stream = null;
  var ended = false;
  var joining = false;

  function say(text) {
    if (stateBox.textContent !== text) stateBox.textContent = text;
  }

  function finish(text) {
    ended = true;
    say(text);
    if (pc) pc.close();
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    root.setAttribute("data-ended", "true");
  }

  function gathered(conn) {
    if (conn.iceGatheringState === "complete") return Promise.resolve();
    return new Promise(function (resolve) {
      var done = function () { if (conn.iceGatheringState === "complete") resolve(); };
      conn.addEventListener("icegatheringstatechange", done);
      setTimeout(resolve, 2000);
    });
  }

  // A connection that fails, or stays lost for five seconds (a network
  // change, or the service restarting), is made again: the server takes the
  // new one in place of the old.
  var lostTimer = null;
  function watch(conn) {
    conn.addEventListener("connectionstatechange", function () {
      if (conn !== pc || ended) return;
      var s = conn.connectionState;
      if (s === "connected") {
        if (lostTimer) { clearTimeout(lostTimer); lostTimer = null; }
      } else if (s === "failed") {
        reconnect();
      } else if (s === "disconnected" && !lostTimer) {
        lostTimer = setTimeout(reconnect, 5000);
      }
    });
  }

  function reconnect() {
    lostTimer = null;
    if (ended) return;
    say("Reconnecting…");
    if (pc) pc.close();
    pc = null;
    joining = false;
  }

  async function join() {
    if (!stream) {
      try {
        stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
      } catch (e) {
        say("Your camera or microphone could not be used: allow them in your browser and reload the page.");
        return;
      }
    }
    local.srcObject = stream;
    pc = new RTCPeerConnection({ iceServers: [] });
    watch(pc);
    window.lifelineCall = pc;
    stream.getTracks().forEach(function (t) {
      pc.addTransceiver(t, { direction: "sendrecv", streams: [stream] });
    });
    var incoming = new MediaStream();
    remote.srcObject = incoming;
    pc.ontrack = function (e) { incoming.addTrack(e.track); };
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    var r = await fetch("/calls/live/" + encodeURIComponent(id) + "/offer", {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json", "x-csrf-token": csrf },
      body: JSON.stringify({ sdp: pc.localDescription.sdp })
    });
    var body = await r.json().catch(function () { return {}; });
    if (!r.ok) {
      finish(body.error || "The call could not connect.");
      return;
    }
    await pc.setRemoteDescription({ type: "answer", sdp: body.sdp });
  }

  var shown = 0;
  function showEvents(events) {
    var list = document.getElementById("call-events");
    if (!list || events.length === shown) return;
    list.textContent = "";
    events.forEach(function (e) {
      var li = document.createElement("li");
      var when = new Date(e.at * 1000);
      li.textContent = when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) + " " + e.detail;
      list.appendChild(li);
    });
    shown = events.length;
  }

  async function follow() {
    if (ended) return;
    try {
      var r = await fetch("/calls/live/" + encodeURIComponent(id) + "/state", { credentials: "same-origin" });
      var body = await r.json();
      if (!r.ok) { finish(body.error || "The call has ended."); return; }
      var room = body.room;
      showEvents(body.events || []);
      root.setAttribute("data-state", room.state);
      if (room.state === "ended") { finish("The call has ended. " + room.reason); return; }
      if (room.state === "paused") { say("The call is paused. " + room.reason); }
      else if (room.state === "waiting") { say(room.reason); }
      else {
        var left = Math.max(0, Math.floor(room.seconds_left / 60));
        say(left <= 5 ? "The call ends in " + left + " minutes." : "You are connected.");
      }
      if (room.state !== "waiting" && !joining) { joining = true; join(); }
    } catch (e) {
      say("Reconnecting…");
    }
    setTimeout(follow, 1000);
  }

  follow();
})();

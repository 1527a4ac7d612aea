// A live video call: the browser offers one audio and one video
// transceiver, both ways, to the service's media server, shows the other
// side, and follows the room's state, which the server decides (a paused
// or ended call is enforced there; this only says so). Signalling goes
// over a WebSocket; where one cannot be opened, over two JSON requests
// (the offer, and the state polled each second).
(function () {
  "use strict";
  var root = document.getElementById("live-call");
  if (!root) return;
  var id = root.getAttribute("data-call");
  var csrf = root.getAttribute("data-csrf");
  var stateBox = document.getElementById("call-state");
  var remote = document.getElementById("remote-video");
  var local = document.getElementById("local-video");
  // A monitoring terminal receives both sides and sends nothing.
  var watching = root.hasAttribute("data-watch");
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
    joining = true;
    join();
  }

  async function join() {
    var ice = [];
    try { ice = JSON.parse(root.getAttribute("data-ice") || "[]"); } catch (e) { ice = []; }
    if (watching) {
      pc = new RTCPeerConnection({ iceServers: ice });
      watch(pc);
      window.lifelineCall = pc;
      // Slot i is the i-th audio and video pair: one side of the call each.
      var views = [remote, document.getElementById("remote-video-2")];
      var streams = [new MediaStream(), new MediaStream()];
      views.forEach(function (v, i) { v.srcObject = streams[i]; });
      var order = [];
      for (var i = 0; i < 2; i++) {
        order.push(pc.addTransceiver("audio", { direction: "recvonly" }));
        order.push(pc.addTransceiver("video", { direction: "recvonly" }));
      }
      pc.ontrack = function (e) {
        var slot = Math.floor(order.indexOf(e.transceiver) / 2);
        if (slot < 0) return;
        streams[slot].addTrack(e.track);
        play(views[slot]);
      };
    } else {
      if (!stream) {
        try {
          stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
        } catch (e) {
          say("Your camera or microphone could not be used: allow them in your browser and reload the page.");
          return;
        }
      }
      local.srcObject = stream;
      pc = new RTCPeerConnection({ iceServers: ice });
      watch(pc);
      window.lifelineCall = pc;
      stream.getTracks().forEach(function (t) {
        pc.addTransceiver(t, { direction: "sendrecv", streams: [stream] });
      });
      var incoming = new MediaStream();
      remote.srcObject = incoming;
      pc.ontrack = function (e) { incoming.addTrack(e.track); };
    }
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    var body = await exchange(pc.localDescription.sdp);
    if (!body.sdp) {
      finish(body.error || "The call could not connect.");
      return;
    }
    await pc.setRemoteDescription({ type: "answer", sdp: body.sdp });
  }

  // A page that has not used the camera may not play sound by itself:
  // the browser's autoplay rules. The pictures then play muted, and a
  // button (a click is what the rules ask for) turns the sound on.
  function play(video) {
    video.play().catch(function () {
      video.muted = true;
      video.play().catch(function () {});
      if (document.getElementById("call-sound")) return;
      var b = document.createElement("button");
      b.id = "call-sound";
      b.type = "button";
      b.className = "govuk-button govuk-button--secondary";
      b.textContent = "Turn the sound on";
      b.addEventListener("click", function () {
        [remote, document.getElementById("remote-video-2")].forEach(function (v) {
          if (v) { v.muted = false; v.play().catch(function () {}); }
        });
        b.remove();
      });
      stateBox.parentNode.insertBefore(b, stateBox.nextSibling);
    });
  }

  // The offer for the server's answer: over the WebSocket when it is open.
  var socket = null;
  var waiting = null;
  function exchange(sdp) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      return new Promise(function (resolve) {
        waiting = resolve;
        socket.send(JSON.stringify({ type: "offer", sdp: sdp, watch: watching }));
      });
    }
    return fetch("/calls/live/" + encodeURIComponent(id) + "/offer", {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json", "x-csrf-token": csrf },
      body: JSON.stringify({ sdp: sdp, watch: watching })
    }).then(function (r) {
      return r.json().catch(function () { return {}; });
    });
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

  function show(body) {
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
  }

  async function poll() {
    if (ended) return;
    try {
      var r = await fetch("/calls/live/" + encodeURIComponent(id) + "/state", { credentials: "same-origin" });
      var body = await r.json();
      if (!r.ok) { finish(body.error || "The call has ended."); return; }
      show(body);
    } catch (e) {
      say("Reconnecting…");
    }
    setTimeout(poll, 1000);
  }

  // The WebSocket, opened again if it drops mid-call; if the first one
  // never opens, the page polls instead.
  function connect(first) {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var ws;
    try {
      ws = new WebSocket(scheme + location.host + "/calls/live/" + encodeURIComponent(id) + "/socket");
    } catch (e) {
      poll();
      return;
    }
    var opened = false;
    ws.onopen = function () {
      opened = true;
      socket = ws;
      window.lifelineSignalling = "websocket";
    };
    ws.onmessage = function (e) {
      var msg;
      try { msg = JSON.parse(e.data); } catch (err) { return; }
      if (msg.type === "state") show(msg);
      else if (msg.type === "answer" || msg.type === "error") {
        if (waiting) { var w = waiting; waiting = null; w(msg); }
      }
    };
    ws.onclose = function () {
      socket = null;
      if (waiting) { var w = waiting; waiting = null; w({ error: "The connection to the service was lost." }); }
      if (ended) return;
      if (!opened && first) { window.lifelineSignalling = "polling"; poll(); return; }
      say("Reconnecting…");
      setTimeout(function () { connect(false); }, 1000);
    };
  }

  connect(true);
})();

// The monitoring terminal keeps itself current: every few seconds it
// fetches the page again and swaps in the calls' grid, so a call the face
// check paused shows up without a reload. It leaves the grid alone while
// a control in it has the keyboard focus, so nobody loses their place.
(function () {
  "use strict";
  var region = document.getElementById("monitor");
  if (!region || !window.fetch || !window.DOMParser) return;
  function refresh() {
    if (region.contains(document.activeElement) && document.activeElement !== document.body) {
      setTimeout(refresh, 5000);
      return;
    }
    fetch(location.href, { credentials: "same-origin", headers: { accept: "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("monitor");
          if (fresh && fresh.innerHTML !== region.innerHTML) region.innerHTML = fresh.innerHTML;
        }
      })
      .catch(function () {})
      .then(function () { setTimeout(refresh, 5000); });
  }
  setTimeout(refresh, 5000);
})();

// Quick exit and a single history entry for the whole visit.
// The exit button (or Shift pressed three times) blanks the page and replaces it, so Back does
// not return here. Forms are sent in place and links inside the page replace the current entry,
// so the visit leaves one entry in the history, which the exit then replaces. Without
// JavaScript the forms and the exit link still work, as ordinary pages.
(function () {
  "use strict";
  var SHIFT_WINDOW_MS = 1500;
  var presses = [];

  function exitUrl() {
    var link = document.getElementById("quick-exit");
    return link ? link.getAttribute("href") : "about:blank";
  }

  function leave(event) {
    if (event) { event.preventDefault(); }
    var target = exitUrl();
    document.title = "";
    if (document.body) { document.body.textContent = ""; }
    window.location.replace(target);
  }

  function show(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    document.title = doc.title;
    document.body.replaceWith(document.adoptNode(doc.body));
    window.scrollTo(0, 0);
    var heading = document.querySelector("main h1");
    if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a") : null;
    if (!link) { return; }
    if (link.id === "quick-exit") { leave(event); return; }
    if (link.hasAttribute("data-replace")) {
      event.preventDefault();
      window.location.replace(link.href);
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-inplace") || !window.fetch) { return; }
    event.preventDefault();
    fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      credentials: "omit",
      cache: "no-store",
      referrerPolicy: "no-referrer",
      redirect: "follow"
    }).then(function (response) {
      return response.text();
    }).then(show, function () { form.submit(); });
  });

  // Three Shift presses in a row: any other key in between starts the count again, so typing
  // capital letters never leaves the page by accident.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Shift") { presses = []; return; }
    if (event.repeat) { return; }
    var now = Date.now();
    presses = presses.filter(function (t) { return now - t < SHIFT_WINDOW_MS; });
    presses.push(now);
    if (presses.length >= 3) { leave(null); }
  });
}());

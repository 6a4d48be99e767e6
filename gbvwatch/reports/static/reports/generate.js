// While a report is generated (the form's request runs until it is done), show the job's
// step and progress, read from its status URL. Without this script the form still works.
(function () {
  "use strict";
  var form = document.getElementById("generate");
  if (!form) { return; }
  var box = document.getElementById("progress");
  var bar = document.getElementById("progress-bar");
  var step = document.getElementById("progress-step");
  var statusUrl = form.getAttribute("data-status-url");
  var timer = null;

  function poll() {
    fetch(statusUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (job) {
        if (!job) { return; }
        bar.value = job.fraction;
        step.textContent = job.step_label;
        if (job.state !== "running") { window.clearInterval(timer); }
      })
      .catch(function () { /* the next tick tries again */ });
  }

  form.addEventListener("submit", function () {
    box.hidden = false;
    form.querySelector("button[type=submit]").disabled = true;
    timer = window.setInterval(poll, 500);  // the job row exists by then
  });
}());

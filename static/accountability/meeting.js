// The meeting timer: time since the CCO opened the meeting, against its planned length.
(function () {
  "use strict";

  function pad(number) { return number < 10 ? "0" + number : String(number); }

  function start() {
    var timer = document.getElementById("meeting-timer");
    if (!timer || !timer.dataset.startedAt) return;
    var startedAt = Date.parse(timer.dataset.startedAt);
    var plannedSeconds = parseInt(timer.dataset.durationMinutes || "60", 10) * 60;
    var display = timer.querySelector(".timer-elapsed");
    if (isNaN(startedAt) || !display) return;

    function tick() {
      var seconds = Math.max(0, Math.floor((Date.now() - startedAt) / 1000));
      var hours = Math.floor(seconds / 3600);
      var minutes = Math.floor((seconds % 3600) / 60);
      display.textContent = (hours ? hours + ":" + pad(minutes) : pad(minutes)) + ":" + pad(seconds % 60);
      timer.classList.toggle("over-time", seconds > plannedSeconds);
    }
    tick();
    window.setInterval(tick, 1000);
  }

  document.addEventListener("DOMContentLoaded", start);
})();

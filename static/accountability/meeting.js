// The live meeting: the clock, the section the plan says the meeting is in and its time left,
// and the decision and action-item dialogs, opened from the bar, an agenda item or a key
// (d, a) at any scroll position.
(function () {
  "use strict";

  function pad(number) { return number < 10 ? "0" + number : String(number); }

  function clock(seconds) {
    var hours = Math.floor(seconds / 3600);
    var minutes = Math.floor((seconds % 3600) / 60);
    return (hours ? hours + ":" + pad(minutes) : pad(minutes)) + ":" + pad(seconds % 60);
  }

  function startClock() {
    var timer = document.getElementById("meeting-timer");
    if (!timer || !timer.dataset.startedAt) return;
    var startedAt = Date.parse(timer.dataset.startedAt);
    var plannedSeconds = parseInt(timer.dataset.durationMinutes || "60", 10) * 60;
    var display = timer.querySelector(".timer-elapsed");
    var sectionName = document.getElementById("bar-section");
    var sectionLeft = document.getElementById("bar-section-left");
    var sections = Array.prototype.slice.call(document.querySelectorAll("[data-section]"));
    if (isNaN(startedAt) || !display) return;
    var current = null;

    function tick() {
      var seconds = Math.max(0, Math.floor((Date.now() - startedAt) / 1000));
      display.textContent = clock(seconds);
      timer.classList.toggle("over-time", seconds > plannedSeconds);
      // The section the plan puts the meeting in: each takes its planned minutes in turn.
      var end = 0, now = null;
      for (var i = 0; i < sections.length; i++) {
        end += parseInt(sections[i].dataset.minutes || "0", 10) * 60;
        if (seconds < end) { now = sections[i]; break; }
      }
      var left = now ? end - seconds : plannedSeconds - seconds;
      if (current !== now) {
        if (current) current.classList.remove("current-section");
        if (now) now.classList.add("current-section");
        current = now;
        if (sectionName) sectionName.textContent = now ? now.dataset.section : "Wrap-up";
      }
      if (sectionLeft) {
        sectionLeft.textContent = left >= 0 ? clock(left) + " left" : clock(-left) + " over";
        sectionLeft.classList.toggle("over-time", left < 0);
      }
    }
    tick();
    window.setInterval(tick, 1000);
  }

  function openDialog(id, agendaItem) {
    var dialog = document.getElementById(id);
    if (!dialog || dialog.open) return;
    var select = dialog.querySelector("[data-agenda-select]");
    if (select) {
      select.value = agendaItem || "";
      var option = select.options[select.selectedIndex];
      var department = dialog.querySelector("[name=department]");
      if (department && option && option.dataset.department) department.value = option.dataset.department;
    }
    dialog.showModal();
    var first = dialog.querySelector("textarea, input[type=text]");
    if (first) first.focus();
  }

  function typing(target) {
    if (!target || !target.tagName) return false;
    var tag = target.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  var SHORTCUTS = { d: "decision-dialog", a: "action-dialog" };

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (document.querySelector("dialog[open]")) return;
    var id = SHORTCUTS[event.key];
    if (id && document.getElementById(id)) {
      event.preventDefault();
      openDialog(id);
    }
  });

  document.addEventListener("click", function (event) {
    var opener = event.target.closest ? event.target.closest("[data-open-dialog]") : null;
    if (opener) {
      openDialog(opener.dataset.openDialog, opener.dataset.agendaItem);
      return;
    }
    var closer = event.target.closest ? event.target.closest("[data-close-dialog]") : null;
    if (closer) closer.closest("dialog").close();
  });

  // A dialog closes once its form is answered: saved (the list shows the new line) or refused
  // (the list shows why, with the person's own text).
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-dialog-form")) return;
    var status = event.detail.xhr.status;
    if (status !== 200 && status !== 400) return;
    var dialog = form.closest("dialog");
    if (status === 200) form.reset();
    if (dialog) dialog.close();
    var list = document.querySelector(form.getAttribute("hx-target"));
    if (status === 400 && list) list.scrollIntoView({ block: "nearest" });
  });

  document.addEventListener("DOMContentLoaded", function () {
    startClock();
    // The page's own scripts have run: what the benchmark times as interactive.
    document.documentElement.dataset.meetingReady = "true";
  });
})();

// Lets htmx show the server's answer when a save is refused: 400 (a field is wrong) and
// 409 (someone else saved first) come back as the form with the person's own text kept.
(function () {
  "use strict";
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 400 || status === 409) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();

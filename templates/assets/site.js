// Wide tables on narrow screens. A table's wrapper that scrolls sideways is made focusable, so that a
// keyboard can scroll it, and gets a line saying that it scrolls; a wrapper whose table fits is neither.
// Without JavaScript every wrapper stays focusable, as the page was written, and the shadows at its
// edges (site.css) still show that there is more.
(function () {
  "use strict";
  var hint = document.body.getAttribute("data-scroll-hint");

  function update() {
    var boxes = document.querySelectorAll(".table-scroll");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      var note = box.previousElementSibling;
      var hasNote = note !== null && note.classList.contains("scroll-hint");
      if (scrolls) {
        box.setAttribute("tabindex", "0");
        if (hint && !hasNote) {
          note = document.createElement("p");
          note.className = "scroll-hint";
          note.textContent = hint;
          box.parentNode.insertBefore(note, box);
        }
      } else {
        box.removeAttribute("tabindex");
        if (hasNote) note.parentNode.removeChild(note);
      }
    }
  }

  var pending = 0;
  window.addEventListener("resize", function () {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(update);
  });
  update();
})();

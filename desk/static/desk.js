/* The refund desk's keyboard: j/k move, a approve, r reject, o open, x select, / search.
   Served from this server and allowed by script-src 'self'; the pages have no inline script and
   work without this file (every action is a plain link or form). */
(function () {
  "use strict";

  function rows() { return Array.prototype.slice.call(document.querySelectorAll("tr[data-row]")); }

  function current() { return document.querySelector("tr[data-row].selected"); }

  function select(row) {
    rows().forEach(function (r) { r.classList.remove("selected"); r.removeAttribute("aria-selected"); });
    if (!row) { return; }
    row.classList.add("selected");
    row.setAttribute("aria-selected", "true");
    row.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    var all = rows();
    if (!all.length) { return; }
    var at = all.indexOf(current());
    var next = at < 0 ? 0 : Math.min(all.length - 1, Math.max(0, at + step));
    select(all[next]);
  }

  function typing(target) {
    var tag = (target && target.tagName) || "";
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  function click(selector) {
    var row = current();
    var scope = row || (rows().length ? null : document);
    var found = scope && scope.querySelector(selector);
    if (found) { found.click(); }
  }

  function onPageLoad() {
    var hash = window.location.hash;
    var target = hash && hash.indexOf("#row-") === 0 ? document.getElementById(hash.slice(1)) : null;
    var all = rows();
    if (target) {
      // after an approval the approved row is gone: select the one now in its place
      select(target);
    } else if (all.length) {
      select(all[0]);
    }
    if (hash === "#reject") {
      // after the browser has scrolled to the fragment, which would otherwise take the focus back
      window.addEventListener("load", function () {
        window.setTimeout(function () {
          var note = document.getElementById("note");
          if (note) { note.focus(); }
        }, 0);
      });
    }
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (typing(event.target)) {
      if (event.key === "Escape") { event.target.blur(); }
      return;
    }
    var actions = {
      "j": function () { move(1); },
      "k": function () { move(-1); },
      "a": function () { click("[data-approve]"); },
      "r": function () {
        var note = !rows().length && document.getElementById("note");
        if (note) { note.focus(); } else { click("[data-reject]"); }
      },
      "o": function () { click("[data-open]"); },
      "Enter": function () { click("[data-open]"); },
      "x": function () {
        var box = current() && current().querySelector("input[type=checkbox]");
        if (box) { box.checked = !box.checked; }
      },
      "/": function () {
        var search = document.getElementById("search");
        if (search) { search.focus(); search.select(); }
      }
    };
    if (event.key === "Enter" && event.target !== document.body) { return; }  // a focused button or link
    var action = actions[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", onPageLoad);
  } else {
    onPageLoad();
  }
}());

/*
 * Behaviour the markup asks for with data- attributes, so that no page needs an inline
 * script or an on*= handler: the Content-Security-Policy (liaison/settings/base.py,
 * SECURE_CSP) allows scripts from this site only, never 'unsafe-inline' or 'unsafe-eval'.
 *
 *  - [data-print]                 a click prints the page
 *  - [data-print-on-load]         the page prints itself once loaded (print views)
 *  - form[data-confirm]           asks its data-confirm text before it is sent
 *  - button[data-confirm]         asks before its form is sent by this button
 *  - form[data-once]              one tap only: the submit button is disabled once sent
 *                                 (a second tap on a slow network would send the item twice)
 *  - button[data-copy]            copies data-copy, then shows data-done
 *  - [data-width]                 a progress bar's width in percent (set through the CSSOM: the
 *                                 policy allows no style attribute), again after each htmx swap
 *  - a few forms' own helpers, each found by its element's id (see below)
 *
 * Loaded with defer by base.html (and by the public pages that use it), so the document is
 * parsed when this runs. Every page works without it except for these conveniences.
 */
(function () {
  "use strict";

  function closest(target, selector) {
    return target && target.closest ? target.closest(selector) : null;
  }

  // ---------------------------------------------------------------- progress bars

  function applyWidths(root) {
    var bars = (root && root.querySelectorAll ? root : document).querySelectorAll("[data-width]");
    Array.prototype.forEach.call(bars, function (bar) {
      var percent = Math.max(0, Math.min(100, parseFloat(bar.getAttribute("data-width")) || 0));
      bar.style.width = percent + "%";
    });
  }
  applyWidths(document);
  document.addEventListener("htmx:afterSwap", function (event) {
    applyWidths(event.target && event.target.parentNode ? event.target.parentNode : document);
  });

  // ---------------------------------------------------------------- delegation

  document.addEventListener("click", function (event) {
    var printer = closest(event.target, "[data-print]");
    if (printer) {
      event.preventDefault();
      window.print();
      return;
    }
    var button = closest(event.target, "button[data-confirm], input[type=submit][data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches("form[data-confirm]") && !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
      return;
    }
    if (form.matches("form[data-once]") && !event.defaultPrevented) {
      var buttons = form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]");
      // After the event, so that the pressed button's name and value are still sent.
      setTimeout(function () {
        buttons.forEach(function (b) { b.disabled = true; });
      }, 0);
    }
  });

  // Back from the next page (bfcache): the buttons work again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-once] [disabled]").forEach(function (b) { b.disabled = false; });
  });

  if (document.querySelector("[data-print-on-load]")) {
    window.addEventListener("load", function () { window.print(); });
  }

  // ---------------------------------------------------------------- copy a number

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var number = document.getElementById(button.getAttribute("data-copy-target") || "");
    button.hidden = false;
    function copied() { button.textContent = button.getAttribute("data-done"); }
    function selectNumber() {
      if (!number) { return; }
      var range = document.createRange();
      range.selectNodeContents(number);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      try { if (document.execCommand("copy")) { copied(); } } catch (e) { /* the number stays selected */ }
    }
    button.addEventListener("click", function () {
      var text = button.getAttribute("data-copy");
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(copied, selectNumber);
      } else {
        selectNumber();
      }
    });
  });

  // ---------------------------------------------------------------- forms' own helpers

  // Event form: the department-head visit fields only for a visit; hidden fields keep their
  // values until saved.
  (function () {
    var kind = document.getElementById("id_kind");
    var box = document.getElementById("visit-fields");
    if (!kind || !box) { return; }
    function toggle() { box.hidden = kind.value !== "department_visit"; }
    kind.addEventListener("change", toggle);
    toggle();
  })();

  // Reception rule form: only the fields the chosen pattern uses (the server ignores the others).
  (function () {
    var data = document.getElementById("pattern-fields");
    var pattern = document.getElementById("id_pattern");
    if (!data || !pattern) { return; }
    var uses = JSON.parse(data.textContent);
    var parts = ["day_of_month", "week_of_month", "weekday"];
    function update() {
      var used = uses[pattern.value] || parts;
      parts.forEach(function (name) {
        var box = document.getElementById("part-" + name);
        if (box) { box.hidden = used.indexOf(name) < 0; }
      });
    }
    pattern.addEventListener("change", update);
    update();
  })();

  // Annual plans: the calendar warning for a year whose holidays are not known yet.
  (function () {
    var box = document.getElementById("calendar-warning"), input = document.getElementById("id_year");
    if (!box || !input) { return; }
    var known = box.dataset.knownYears.split(",").filter(Boolean).map(Number);
    var text = box.querySelector(".js-warning-text"), link = box.querySelector(".js-calendar-link");
    input.addEventListener("input", function () {
      var year = parseInt(input.value, 10), shown = box.dataset.year;
      if (!(year >= 2000 && year <= 2100)) { box.hidden = true; return; }
      if (shown) { text.textContent = text.textContent.split(shown).join(String(year)); }
      else { box.hidden = true; return; }
      box.dataset.year = String(year);
      link.setAttribute("href", "/calendar/" + year + "/");
      box.hidden = known.indexOf(year) >= 0;
    });
  })();

  // A move's page: a reply template fills the text (after asking, if something is written).
  (function () {
    var select = document.getElementById("reply-template");
    if (!select) { return; }
    select.addEventListener("change", function () {
      var option = select.options[select.selectedIndex];
      var target = document.getElementById(select.dataset.fill);
      if (!option.value || !target) { return; }
      if (target.value.trim() && !window.confirm(select.dataset.confirm || "")) { return; }
      target.value = option.dataset.text;
      var outcome = option.dataset.outcome &&
        document.querySelector('input[name="outcome"][value="' + option.dataset.outcome + '"]');
      if (outcome) { outcome.checked = true; }
      target.focus();
    });
  })();
})();

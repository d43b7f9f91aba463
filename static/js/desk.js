/*
 * The registration desk (templates/petitions/desk_form.html), for the keyboard first:
 *  - Enter in a one-line field never sends the form (only the buttons do);
 *    Ctrl+Enter (or Cmd+Enter) = "save and register the next", Alt+S = "save" (accesskey).
 *  - A change of station, reception day or date reloads the station's part of the
 *    form (its days, communities, members) through htmx.
 *  - While content is typed, similar open items are fetched (debounced by htmx);
 *    "Link to this one" fills the hidden `linked_to` input and shows the banner.
 *  - An optional Leaflet map sets latitude and longitude; without it the inputs work alone.
 * Everything works without this file except the live refreshes and the map.
 */
(function () {
  "use strict";

  var form = document.getElementById("desk-form");
  if (!form) { return; }

  // ---------------------------------------------------------------- keyboard

  form.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.isComposing) { return; }
    var target = event.target;
    if ((event.ctrlKey || event.metaKey) && !event.altKey) {
      event.preventDefault();
      var next = document.getElementById("desk-save-next") || document.getElementById("desk-save");
      if (next && !form.dataset.sending) { next.click(); }
      return;
    }
    var tag = target.tagName;
    // Enter keeps its meaning in text areas, on buttons and links; elsewhere it sends nothing.
    if (tag === "TEXTAREA" || tag === "BUTTON" || tag === "A" || target.type === "submit") { return; }
    event.preventDefault();
  });

  // One submission per press: a second Ctrl+Enter while the page loads must not register twice.
  form.addEventListener("submit", function (event) {
    if (form.dataset.sending) { event.preventDefault(); return; }
    form.dataset.sending = "1";
  });
  window.addEventListener("pageshow", function () { delete form.dataset.sending; });

  // ---------------------------------------------------------------- the station's part

  var blockUrl = form.getAttribute("data-block-url");

  function field(name) { return form.elements.namedItem(name); }

  function similarSoon() {
    var box = document.getElementById("similar");
    if (box && window.htmx) { window.htmx.trigger(box, "desk-similar"); }
  }

  function refreshStation(changed) {
    if (!window.htmx || !blockUrl) { return; }
    var params = new URLSearchParams();
    params.set("block", "station");
    params.set("changed", changed);
    ["station", "event", "received_on", "community"].forEach(function (name) {
      var el = field(name);
      if (el && el.value !== undefined && el.value !== "") { params.set(name, el.value); }
    });
    form.querySelectorAll("input[name=representatives]:checked").forEach(function (el) {
      params.append("representatives", el.value);
    });
    window.htmx.ajax("GET", blockUrl + "?" + params.toString(), { target: "#station-block", swap: "outerHTML" })
      .then(similarSoon);
  }

  form.addEventListener("change", function (event) {
    var name = event.target.name;
    if (name === "event") {
      // Another station's reception day brings its station along.
      var option = event.target.selectedOptions && event.target.selectedOptions[0];
      var station = option && option.getAttribute("data-station");
      if (station && field("station") && field("station").value !== station) { field("station").value = station; }
    }
    if (name === "station" || name === "event" || name === "received_on") {
      refreshStation(name);
    } else if (name === "community") {
      similarSoon();
    }
  });

  // ---------------------------------------------------------------- similar items and the link

  var content = field("content");
  if (content) { content.addEventListener("input", similarSoon); }

  var linkInput = field("linked_to");
  var banner = document.getElementById("link-banner");

  function setLink(pk, number) {
    if (!linkInput || !banner) { return; }
    linkInput.value = pk || "";
    var label = document.getElementById("link-number");
    if (label) { label.textContent = number || ""; }
    banner.hidden = !pk;
    document.querySelectorAll(".desk-similar-item").forEach(function (item) {
      item.classList.toggle("is-linked", !!pk && item.getAttribute("data-number") === number);
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-link-to]");
    if (button) {
      setLink(button.getAttribute("data-link-to"), button.getAttribute("data-number"));
      var clear = document.getElementById("link-clear");
      if (clear) { clear.focus(); }
      return;
    }
    if (event.target.id === "link-clear") {
      setLink("", "");
      if (content) { content.focus(); }
    }
  });

  // ---------------------------------------------------------------- the optional map

  var toggle = document.getElementById("desk-map-toggle");
  var box = document.getElementById("desk-map-box");
  var mapEl = document.getElementById("desk-map");
  var map = null;
  var marker = null;

  function readConfig() {
    var source = mapEl && document.getElementById(mapEl.getAttribute("data-map-config"));
    if (!source) { return null; }
    try { return JSON.parse(source.textContent); } catch (e) { return null; }
  }

  function currentPoint() {
    var lat = parseFloat((field("latitude") || {}).value);
    var lng = parseFloat((field("longitude") || {}).value);
    return isFinite(lat) && isFinite(lng) ? [lat, lng] : null;
  }

  function placeMarker(point) {
    if (!map) { return; }
    if (marker) { marker.setLatLng(point); } else { marker = window.L.marker(point).addTo(map); }
  }

  function openMap() {
    var config = readConfig();
    if (!config || !window.L) { return; }
    window.L.Icon.Default.imagePath = config.imagePath;
    var point = currentPoint();
    map = window.L.map(mapEl, { center: point || config.center, zoom: point ? 16 : config.zoom, keyboard: true });
    var failures = 0;
    var tiles = window.L.tileLayer(config.tileUrl, { attribution: config.attribution, maxZoom: 19 });
    tiles.on("tileerror", function () {
      failures += 1;
      if (failures === 3 && !mapEl.querySelector(".map-note")) {
        var p = document.createElement("p");
        p.className = "map-note";
        p.setAttribute("role", "status");
        p.textContent = config.labels.tilesFailed;
        mapEl.appendChild(p);
      }
    });
    tiles.addTo(map);
    if (point) { placeMarker(point); }
    map.on("click", function (event) {
      var lat = event.latlng.lat.toFixed(6);
      var lng = event.latlng.lng.toFixed(6);
      field("latitude").value = lat;
      field("longitude").value = lng;
      placeMarker([parseFloat(lat), parseFloat(lng)]);
    });
  }

  if (toggle && box && mapEl) {
    toggle.hidden = false;  // without JavaScript the coordinates are typed
    toggle.addEventListener("click", function () {
      var show = box.hidden;
      box.hidden = !show;
      toggle.setAttribute("aria-expanded", String(show));
      if (show && !map) { openMap(); } else if (show && map) { map.invalidateSize(); }
    });
    ["latitude", "longitude"].forEach(function (name) {
      var el = field(name);
      if (el) {
        el.addEventListener("change", function () {
          var point = currentPoint();
          if (point && map) { placeMarker(point); map.panTo(point); }
        });
      }
    });
  }
})();

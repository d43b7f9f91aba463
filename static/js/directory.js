/*
 * Public pages: the station directory's map (clustered markers from GeoJSON),
 * a station's own small map, and a few small helpers (print buttons,
 * selects that submit the search form).
 *
 * Everything the maps need comes from the page (a json_script element named
 * by data-map-config): tile URL, attribution, centre, zoom, marker images,
 * labels. When Leaflet, the tiles or the GeoJSON cannot load, the page's list
 * and text keep working; the map says so in one short line.
 */
(function () {
  "use strict";

  function readConfig(el) {
    var source = document.getElementById(el.getAttribute("data-map-config"));
    if (!source) { return null; }
    try { return JSON.parse(source.textContent); } catch (e) { return null; }
  }

  function note(el, text) {
    if (!text || el.querySelector(".map-note")) { return; }
    var p = document.createElement("p");
    p.className = "map-note";
    p.setAttribute("role", "status");
    p.textContent = text;
    p.title = "×";
    // A tap hides the note, so it never hides markers for good.
    p.addEventListener("click", function () { p.parentNode.removeChild(p); });
    el.appendChild(p);
  }

  function baseMap(el, config) {
    L.Icon.Default.imagePath = config.imagePath;
    el.innerHTML = "";  // the no-JavaScript placeholder
    var map = L.map(el, { center: config.center, zoom: config.zoom, scrollWheelZoom: false });
    map.attributionControl.setPrefix("Leaflet");
    var failures = 0;
    var tiles = L.tileLayer(config.tileUrl, { attribution: config.attribution, maxZoom: 18 });
    tiles.on("tileerror", function () {
      failures += 1;
      if (failures === 3) { note(el, config.labels.tilesFailed); }
    });
    tiles.addTo(map);
    // Scroll-wheel zoom only after a click, so the page scrolls past the map.
    map.once("focus", function () { map.scrollWheelZoom.enable(); });
    return map;
  }

  function popup(props, labels) {
    var box = document.createElement("div");
    var name = document.createElement("div");
    name.className = "popup-name";
    name.textContent = props.name;
    box.appendChild(name);
    if (props.kind) {
      var kind = document.createElement("div");
      kind.className = "popup-kind";
      kind.textContent = props.kind;
      box.appendChild(kind);
    }
    if (props.address) {
      var address = document.createElement("div");
      address.textContent = props.address;
      box.appendChild(address);
    }
    var link = document.createElement("a");
    link.href = props.url;
    link.textContent = labels.open;
    box.appendChild(link);
    return box;
  }

  function directoryMap(el, config) {
    var map = baseMap(el, config);
    var layer = L.markerClusterGroup ?
      L.markerClusterGroup({ chunkedLoading: true, showCoverageOnHover: false, maxClusterRadius: 50 }) :
      L.featureGroup();
    map.addLayer(layer);
    fetch(config.geojsonUrl, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) {
        var points = [];
        var markers = data.features.map(function (feature) {
          var c = feature.geometry.coordinates;
          var point = L.latLng(c[1], c[0]);
          var marker = L.marker(point, { title: feature.properties.name });
          marker.bindPopup(function () { return popup(feature.properties, config.labels); });
          points.push(point);
          return marker;
        });
        // Bounds from the points: chunked loading adds the markers over several frames.
        if (layer.addLayers) { layer.addLayers(markers); } else { markers.forEach(function (m) { layer.addLayer(m); }); }
        if (markers.length) {
          map.fitBounds(L.latLngBounds(points), { padding: [24, 24], maxZoom: 15 });
        } else {
          note(el, config.labels.none);
        }
        el.setAttribute("data-stations", String(markers.length));
      })
      .catch(function () { note(el, config.labels.loadFailed); });
  }

  function stationMap(el, config) {
    config.center = config.marker;
    var map = baseMap(el, config);
    L.marker(config.marker, { title: config.name }).addTo(map);
  }

  function initMaps() {
    var maps = document.querySelectorAll("[data-map-config]");
    Array.prototype.forEach.call(maps, function (el) {
      var config = readConfig(el);
      if (!config) { return; }
      if (typeof L === "undefined") {
        note(el, config.labels.loadFailed);
        return;
      }
      try {
        if (config.geojsonUrl) { directoryMap(el, config); } else if (config.marker) { stationMap(el, config); }
      } catch (e) {
        note(el, config.labels.loadFailed);
      }
    });
  }

  function initForms() {
    Array.prototype.forEach.call(document.querySelectorAll("select[data-autosubmit]"), function (select) {
      select.addEventListener("change", function () {
        var clears = select.getAttribute("data-clears");
        var other = clears && document.getElementById(clears);
        if (other && other.name) { other.value = ""; }
        if (select.form) { select.form.submit(); }
      });
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-action=print]"), function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }

  function init() {
    initForms();
    initMaps();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());

// survmap's map page: draws the choropleth from our own TopoJSON and counts, keeps every filter
// in the URL, and searches as you type. Data only ever reaches the page through textContent and
// DOM nodes, never innerHTML.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("map-config").textContent);
  var state = JSON.parse(document.getElementById("map-counts").textContent);
  var PALETTE = ["#fde0c5", "#facba6", "#f59e72", "#e4643f", "#c03a2b", "#7f1d1d"];
  var NONE = "#dfe3e8";
  var LOWER48 = [[24.4, -125.0], [49.5, -66.9]];
  var element = document.getElementById("map");
  // The embed (/embed/) draws the same map with no filters, search or site around it.
  var form = document.getElementById("map-filters");
  var layersByFips = {};
  var regions = null;
  var map = L.map(element, { zoomSnap: 0.25, minZoom: 2, worldCopyJump: false });

  if (config.tile_url) {
    L.tileLayer(config.tile_url, { attribution: config.tile_attribution, maxZoom: 12 }).addTo(map);
  }
  map.attributionControl.setPrefix(false);
  // On a phone the map comes first; the filters fold away until asked for.
  if (form && window.matchMedia("(max-width: 40rem)").matches && !window.location.search) {
    document.getElementById("filter-panel").open = false;
  }
  map.fitBounds(LOWER48);

  function colourFor(n) {
    var breaks = state.breaks;
    if (!n || !breaks.length) return NONE;
    for (var i = 0; i < breaks.length; i++) {
      if (n <= breaks[i]) {
        var step = breaks.length > 1 ? Math.round(i * (PALETTE.length - 1) / (breaks.length - 1)) : PALETTE.length - 1;
        return PALETTE[step];
      }
    }
    return PALETTE[PALETTE.length - 1];
  }

  function countOf(fips) { return state.counts[fips] || 0; }

  function style(feature) {
    return { fillColor: colourFor(countOf(feature.id)), fillOpacity: 0.9, color: "#ffffff", weight: 0.4, className: "region" };
  }

  function tooltipNode(feature) {
    var box = document.createElement("div");
    var name = document.createElement("strong");
    name.textContent = feature.properties.n;
    var n = countOf(feature.id);
    var line = document.createElement("div");
    line.textContent = n ? n + (n === 1 ? " agency" : " agencies") : "None recorded";
    box.appendChild(name);
    box.appendChild(line);
    return box;
  }

  function swatch(colour, text) {
    var item = document.createElement("li");
    var box = document.createElement("span");
    box.className = "swatch";
    box.style.background = colour;
    item.appendChild(box);
    item.appendChild(document.createTextNode(text));
    return item;
  }

  function drawLegend() {
    var legend = document.getElementById("legend");
    while (legend.firstChild) legend.removeChild(legend.firstChild);
    var title = document.createElement("p");
    title.textContent = "Agencies per " + (config.level === "state" ? "state" : "county");
    var list = document.createElement("ul");
    list.appendChild(swatch(NONE, "None recorded"));
    var lower = 1;
    state.breaks.forEach(function (upper) {
      list.appendChild(swatch(colourFor(upper), lower === upper ? String(upper) : lower + "–" + upper));
      lower = upper + 1;
    });
    legend.appendChild(title);
    legend.appendChild(list);
  }

  function recolour() {
    if (regions) regions.setStyle(style);
    drawLegend();
    document.getElementById("agency-total").textContent = state.agencies.toLocaleString("en-US");
    document.getElementById("region-total").textContent = state.regions.toLocaleString("en-US");
    element.dataset.total = String(state.agencies);
  }

  function boundsFor(prefixes) {
    var bounds = null;
    Object.keys(layersByFips).forEach(function (fips) {
      for (var i = 0; i < prefixes.length; i++) {
        if (fips.indexOf(prefixes[i]) === 0 || prefixes[i].indexOf(fips) === 0) {
          var b = layersByFips[fips].getBounds();
          bounds = bounds ? bounds.extend(b) : L.latLngBounds(b.getSouthWest(), b.getNorthEast());
          return;
        }
      }
    });
    return bounds;
  }

  function focusOn(fips) {
    var bounds = boundsFor([fips]);
    if (!bounds) return;
    map.fitBounds(bounds, { maxZoom: 9 });
    element.dataset.focus = fips;
    var layer = layersByFips[fips];
    if (layer) layer.openTooltip(bounds.getCenter());
  }

  function query() {
    if (!form) return new URLSearchParams(window.location.search);
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (value !== "") params.append(key, value);
    });
    return params;
  }

  function filterQuery(params) {
    var copy = new URLSearchParams(params);
    copy.delete("level");
    copy.delete("focus");
    return copy.toString();
  }

  var pending = null;
  function refresh() {
    var params = query();
    if (params.get("level") !== config.level) {
      window.location.assign("?" + params.toString());
      return;
    }
    window.history.replaceState(null, "", "?" + params.toString());
    var filters = filterQuery(params);
    var tableLink = document.getElementById("table-link");
    if (tableLink) tableLink.href = config.table_url + (filters ? "?" + filters : "");
    if (pending) pending.abort();
    pending = new AbortController();
    element.dataset.state = "loading";
    fetch(config.counts_url + "?" + params.toString(), { signal: pending.signal })
      .then(function (response) {
        if (!response.ok) throw new Error("counts " + response.status);
        return response.json();
      })
      .then(function (payload) {
        state = payload;
        recolour();
        element.dataset.query = filters;
        element.dataset.state = "ready";
      })
      .catch(function (error) {
        if (error.name !== "AbortError") element.dataset.state = "error";
      });
  }

  if (form) {
    // The as-of slider walks day by day from the earliest recorded start to today.
    var DAY = 86400000;
    var asOfOn = document.getElementById("as-of-on");
    var asOfDate = document.getElementById("as-of-date");
    var slider = document.getElementById("as-of-slider");
    var first = Date.parse(config.earliest);
    var days = Math.max(1, Math.round((Date.parse(config.today) - first) / DAY));
    slider.max = String(days);
    slider.hidden = false;
    function syncSlider() {
      slider.disabled = !asOfOn.checked;
      asOfDate.disabled = !asOfOn.checked;
      if (asOfOn.checked && !asOfDate.value) asOfDate.value = config.today;
      if (asOfDate.value) slider.value = String(Math.round((Date.parse(asOfDate.value) - first) / DAY));
    }
    syncSlider();
    asOfOn.addEventListener("change", function () { syncSlider(); refresh(); });
    slider.addEventListener("input", function () {
      asOfDate.value = new Date(first + Number(slider.value) * DAY).toISOString().slice(0, 10);
    });
    slider.addEventListener("change", refresh);
    asOfDate.addEventListener("change", function () { syncSlider(); });
    form.addEventListener("change", function (event) {
      if (event.target !== asOfOn && event.target !== slider) refresh();
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); refresh(); });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-jump]"), function (button) {
    button.addEventListener("click", function () {
      var target = button.getAttribute("data-jump");
      if (target === "lower48") { map.fitBounds(LOWER48); return; }
      var bounds = boundsFor(target.split(","));
      if (bounds) map.fitBounds(bounds, { maxZoom: 8 });
    });
  });

  if (document.getElementById("search-input")) {
    // Search as you type: the server ranks; the page only shows and jumps.
    var input = document.getElementById("search-input");
    var results = document.getElementById("search-results");
    var searchTimer = null;
    var searchRequest = null;
    function choose(result) {
      results.hidden = true;
      input.setAttribute("aria-expanded", "false");
      var place = result.kind === "state" || result.kind === "county" || result.kind === "city";
      if (place && result.fips && regions) {
        var params = query();
        params.set("focus", result.fips);
        window.history.replaceState(null, "", "?" + params.toString());
        focusOn(result.fips);
      } else {
        window.location.assign(result.url);
      }
    }
    function showResults(list) {
      while (results.firstChild) results.removeChild(results.firstChild);
      list.forEach(function (result, index) {
        var item = document.createElement("li");
        item.setAttribute("role", "option");
        item.id = "search-result-" + index;
        var link = document.createElement("a");
        link.href = result.url;
        link.textContent = result.label;
        var kind = document.createElement("small");
        kind.textContent = " " + result.kind + (result.detail ? " · " + result.detail : "");
        link.appendChild(kind);
        link.addEventListener("click", function (event) { event.preventDefault(); choose(result); });
        item.appendChild(link);
        results.appendChild(item);
      });
      results.hidden = list.length === 0;
      input.setAttribute("aria-expanded", list.length ? "true" : "false");
      results.dataset.count = String(list.length);
    }
    input.addEventListener("input", function () {
      clearTimeout(searchTimer);
      searchTimer = setTimeout(function () {
        var q = input.value.trim();
        if (searchRequest) searchRequest.abort();
        if (!q) { showResults([]); return; }
        searchRequest = new AbortController();
        fetch(config.search_url + "?q=" + encodeURIComponent(q), { signal: searchRequest.signal })
          .then(function (response) { return response.json(); })
          .then(function (payload) { showResults(payload.results); })
          .catch(function () {});
      }, 150);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        var firstLink = results.querySelector("a");
        if (firstLink) firstLink.click();
      } else if (event.key === "Escape") {
        showResults([]);
      }
    });
  }

  fetch(config.geometry)
    .then(function (response) { return response.json(); })
    .then(function (topology) {
      var name = Object.keys(topology.objects)[0];
      var object = topology.objects[name];
      var features = topojson.feature(topology, object);
      regions = L.geoJSON(features, {
        style: style,
        onEachFeature: function (feature, layer) {
          layersByFips[feature.id] = layer;
          layer.bindTooltip(function () { return tooltipNode(feature); }, { sticky: true });
          layer.on("click", function () {
            var url = config.region_url.replace("{fips}", feature.id);
            // Inside another site's frame, a region opens on survmap in a tab of its own.
            if (config.embed) window.open(url, "_blank", "noopener");
            else window.location.assign(url);
          });
        },
      }).addTo(map);
      // Tests and assistive tools can find a region's shape by its FIPS code.
      Object.keys(layersByFips).forEach(function (fips) {
        var path = layersByFips[fips].getElement();
        if (path) path.setAttribute("data-fips", fips);
      });
      if (config.level === "county") {
        var borders = topojson.mesh(topology, object, function (a, b) {
          return a.id.slice(0, 2) !== b.id.slice(0, 2);
        });
        L.geoJSON(borders, { style: { color: "#4a5560", weight: 1, fill: false }, interactive: false }).addTo(map);
      }
      element.dataset.features = String(features.features.length);
      recolour();
      var focus = new URLSearchParams(window.location.search).get("focus");
      if (focus) focusOn(focus);
      element.dataset.query = filterQuery(query());
      element.dataset.state = "ready";
    })
    .catch(function () { element.dataset.state = "error"; });
})();

// survmap's map outlines, fetched, decoded and projected off the page's main thread: parsing a
// megabyte of TopoJSON and turning it into shapes would otherwise freeze a phone for a second.
// The shapes go back to the page a slice at a time as flat arrays of Web Mercator coordinates
// at zoom 0 (Leaflet's own projection), transferred rather than copied, so the page builds each
// outline with no garbage to collect.
/* global topojson */
"use strict";

var MAX_LATITUDE = 85.0511287798;

function projectInto(out, lng, lat) {
  var clamped = Math.max(Math.min(lat, MAX_LATITUDE), -MAX_LATITUDE) * Math.PI / 180;
  out.push(256 * (0.5 + lng / 360), 256 * (0.5 - Math.log(Math.tan(Math.PI / 4 + clamped / 2)) / (2 * Math.PI)));
}

// Rings of (Multi)Polygon or (Multi)LineString coordinates, as one flat array and ring ends.
function pack(geometry) {
  var coords = [];
  var ends = [];
  var lists;
  if (geometry.type === "Polygon" || geometry.type === "MultiLineString") lists = geometry.coordinates;
  else if (geometry.type === "MultiPolygon") lists = [].concat.apply([], geometry.coordinates);
  else if (geometry.type === "LineString") lists = [geometry.coordinates];
  else lists = [];
  lists.forEach(function (ring) {
    ring.forEach(function (point) { projectInto(coords, point[0], point[1]); });
    ends.push(coords.length);
  });
  return { coords: coords, ends: ends };
}

function bbox(coords) {
  var box = [Infinity, Infinity, -Infinity, -Infinity];
  for (var i = 0; i < coords.length; i += 2) {
    if (coords[i] < box[0]) box[0] = coords[i];
    if (coords[i + 1] < box[1]) box[1] = coords[i + 1];
    if (coords[i] > box[2]) box[2] = coords[i];
    if (coords[i + 1] > box[3]) box[3] = coords[i + 1];
  }
  return box;
}

self.onmessage = function (event) {
  var job = event.data;
  importScripts(job.topojson);
  fetch(job.geometry)
    .then(function (response) {
      if (!response.ok) throw new Error("outlines " + response.status);
      return response.json();
    })
    .then(function (topology) {
      var object = topology.objects[Object.keys(topology.objects)[0]];
      var geometries = object.geometries;
      for (var start = 0; start < geometries.length; start += job.slice) {
        var items = [];
        var flat = [];
        geometries.slice(start, start + job.slice).forEach(function (geometry) {
          var feature = topojson.feature(topology, geometry);
          var packed = pack(feature.geometry || { type: "Polygon", coordinates: [] });
          items.push({
            id: feature.id,
            name: feature.properties.n,
            offset: flat.length,
            ends: packed.ends,
            bbox: bbox(packed.coords),
          });
          for (var i = 0; i < packed.coords.length; i++) flat.push(packed.coords[i]);
        });
        var coords = new Float64Array(flat);
        self.postMessage({ type: "features", items: items, coords: coords }, [coords.buffer]);
      }
      if (job.borders) {
        // State lines over the county map: the arcs where two counties of different states meet.
        var packed = pack(topojson.mesh(topology, object, function (a, b) {
          return a.id.slice(0, 2) !== b.id.slice(0, 2);
        }));
        var lines = new Float64Array(packed.coords);
        self.postMessage({ type: "borders", ends: packed.ends, coords: lines }, [lines.buffer]);
      }
      self.postMessage({ type: "done" });
    })
    .catch(function (error) {
      self.postMessage({ type: "error", message: String(error) });
    });
};

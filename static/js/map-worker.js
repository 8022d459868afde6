// survmap's map outlines, fetched and decoded off the page's main thread: parsing a megabyte of
// TopoJSON and turning it into shapes would otherwise freeze a phone for a second. The shapes go
// back to the page a slice at a time, each one small enough to take in without a long task.
/* global topojson */
"use strict";

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
      for (var i = 0; i < geometries.length; i += job.slice) {
        self.postMessage({
          type: "features",
          features: geometries.slice(i, i + job.slice).map(function (geometry) {
            return topojson.feature(topology, geometry);
          }),
        });
      }
      if (job.borders) {
        // State lines over the county map: the arcs where two counties of different states meet.
        var borders = topojson.mesh(topology, object, function (a, b) {
          return a.id.slice(0, 2) !== b.id.slice(0, 2);
        });
        self.postMessage({ type: "borders", borders: borders });
      }
      self.postMessage({ type: "done" });
    })
    .catch(function (error) {
      self.postMessage({ type: "error", message: String(error) });
    });
};

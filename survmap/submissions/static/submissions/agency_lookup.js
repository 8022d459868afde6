// Pick-as-you-type for the agency on /submit/. Without it the form still works: the server
// lists similar agencies after submitting. Names are inserted with textContent, never as HTML.
(function () {
  "use strict";
  function ready() {
    var fieldset = document.getElementById("agency-fieldset");
    var name = document.getElementById("id_agency_name");
    var picked = document.querySelector("input[type=hidden][name=agency]");
    var state = document.getElementById("id_agency_state");
    var city = document.getElementById("id_agency_city");
    var list = document.getElementById("agency-matches");
    if (!fieldset || !name || !picked || !list) { return; }
    var url = fieldset.getAttribute("data-lookup-url");
    var timer = null;

    function clear() { while (list.firstChild) { list.removeChild(list.firstChild); } }

    function choose(agency) {
      picked.value = String(agency.id);
      name.value = agency.name;
      if (state) { state.value = agency.state; }
      if (city) { city.value = agency.city || ""; }
      clear();
      var note = document.createElement("p");
      note.textContent = "Selected: " + agency.name + " (" + agency.state_name + ")";
      list.appendChild(note);
    }

    function show(agencies) {
      clear();
      if (!agencies.length) { return; }
      var intro = document.createElement("p");
      intro.textContent = "Already on survmap (pick one, or keep typing a new name):";
      list.appendChild(intro);
      agencies.forEach(function (agency) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "agency-match";
        button.textContent = agency.name + (agency.city ? ", " + agency.city : "") + " (" + agency.state + ")";
        button.addEventListener("click", function () { choose(agency); });
        list.appendChild(button);
      });
    }

    function lookup() {
      var query = name.value.trim();
      if (query.length < 2) { clear(); return; }
      var params = new URLSearchParams({ q: query, state: state && state.value ? state.value : "" });
      fetch(url + "?" + params.toString(), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : { agencies: [] }; })
        .then(function (data) { show(data.agencies || []); })
        .catch(function () { clear(); });
    }

    name.addEventListener("input", function () {
      picked.value = "";  // A typed name is a new agency until one is picked again.
      window.clearTimeout(timer);
      timer = window.setTimeout(lookup, 250);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();

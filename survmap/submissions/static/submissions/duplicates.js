// Likely duplicates on /submit/, shown while the tip is typed: what survmap already publishes
// for the agency (the chosen technology first), with a link to suggest a correction instead.
// Without JavaScript the moderators still see duplicates in their queue. Text goes in with
// textContent, never as HTML.
(function () {
  "use strict";
  function ready() {
    var box = document.getElementById("duplicate-matches");
    var name = document.getElementById("id_agency_name");
    var picked = document.querySelector("input[type=hidden][name=agency]");
    var state = document.getElementById("id_agency_state");
    var technology = document.getElementById("id_technology");
    var agencyMatches = document.getElementById("agency-matches");
    if (!box || !name || !state || !technology) { return; }
    var url = box.getAttribute("data-url");
    var timer = null;
    var asked = "";

    function clear() { while (box.firstChild) { box.removeChild(box.firstChild); } }

    function link(href, text) {
      var a = document.createElement("a");
      a.href = href;
      a.textContent = text;
      return a;
    }

    function show(partnerships) {
      clear();
      if (!partnerships.length) { return; }
      var same = partnerships.filter(function (p) { return p.same_technology; });
      var intro = document.createElement("p");
      intro.className = same.length ? "notice" : "help";
      intro.textContent = same.length
        ? "survmap already records this. If your source adds something (a vendor, a date, an end), suggest a correction to the record instead:"
        : "survmap already records for this agency:";
      box.appendChild(intro);
      var list = document.createElement("ul");
      partnerships.forEach(function (p) {
        var item = document.createElement("li");
        var label = p.agency + ": " + p.technology + (p.vendor ? " / " + p.vendor : "") +
          " (" + p.status + (p.start ? ", from " + p.start : "") + ")";
        item.appendChild(link(p.url, label));
        item.appendChild(document.createTextNode(" · "));
        item.appendChild(link(p.correction_url, "suggest a correction"));
        list.appendChild(item);
      });
      box.appendChild(list);
    }

    function check() {
      var params = new URLSearchParams({
        agency: picked && picked.value ? picked.value : "",
        agency_name: name.value.trim(),
        state: state.value || "",
        technology: technology.value && technology.value !== "other" ? technology.value : ""
      });
      var query = params.toString();
      if (query === asked) { return; }
      asked = query;
      if (!params.get("agency") && (!params.get("agency_name") || !params.get("state"))) {
        clear();
        return;
      }
      fetch(url + "?" + query, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : { partnerships: [] }; })
        .then(function (data) { show(data.partnerships || []); })
        .catch(clear);
    }

    function soon() {
      window.clearTimeout(timer);
      timer = window.setTimeout(check, 300);
    }
    name.addEventListener("input", soon);
    state.addEventListener("change", soon);
    technology.addEventListener("change", soon);
    // Picking an agency from the look-up's list sets the hidden field without an event.
    if (agencyMatches) { agencyMatches.addEventListener("click", soon); }
    check();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();

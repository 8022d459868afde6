// "Take this map with you" on the map page: the download link and the iframe code follow the
// filters the map shows (the map keeps them in the address), and a button copies the code.
(function () {
  "use strict";
  var link = document.getElementById("takeaway-download");
  var code = document.getElementById("takeaway-iframe");
  var copy = document.getElementById("takeaway-copy");
  if (!link || !code) return;

  function currentQuery() {
    var params = new URLSearchParams(window.location.search);
    params.delete("focus");
    var text = params.toString();
    return text ? "?" + text : "";
  }

  function refresh() {
    var query = currentQuery();
    link.href = link.getAttribute("data-base") + query;
    var embed = code.getAttribute("data-base").split("?")[0] + query;
    // The src attribute is the only part that changes; the rest is the server's text.
    code.value = code.value.replace(/src="[^"]*"/, 'src="' + embed.replace(/&/g, "&amp;").replace(/"/g, "&quot;") + '"');
  }

  link.addEventListener("click", refresh);
  link.addEventListener("focus", refresh);
  code.addEventListener("focus", function () { refresh(); code.select(); });
  copy.hidden = false;
  copy.addEventListener("click", function () {
    refresh();
    code.select();
    var done = function () { copy.textContent = "Copied"; };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(code.value).then(done, function () { document.execCommand("copy"); done(); });
    } else {
      document.execCommand("copy");
      done();
    }
  });
})();

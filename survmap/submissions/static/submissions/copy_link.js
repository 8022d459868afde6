// The confirmation page's "Copy the link" button: the private status address to the clipboard.
// Without JavaScript (or a clipboard) the button stays hidden and the address can be selected.
(function () {
  "use strict";
  function ready() {
    var button = document.getElementById("copy-status-link");
    var link = document.getElementById("status-link");
    var said = document.getElementById("copy-status-said");
    if (!button || !link || !said || !navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(link.href).then(
        function () { said.textContent = "Copied. Keep it somewhere safe."; },
        function () { said.textContent = "Could not copy: select the address and copy it."; }
      );
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();

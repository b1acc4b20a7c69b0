// Progressive enhancement of /signin: with a browser wallet (EIP-1193 `window.ethereum`), one
// button does what the forms below do by hand - get the EIP-4361 message for the wallet's
// address from /auth/nonce, have the wallet sign it (personal_sign), and post both to /signin.
// Without a wallet, or with JavaScript off, the page is unchanged.
(function () {
  "use strict";
  var box = document.getElementById("wallet");
  if (!box || !window.ethereum || !window.fetch || !window.TextEncoder) return;
  var button = document.getElementById("wallet-button");
  var status = document.getElementById("wallet-status");
  box.hidden = false;

  function hex(text) {
    var bytes = new TextEncoder().encode(text);
    var out = "0x";
    for (var i = 0; i < bytes.length; i++) out += bytes[i].toString(16).padStart(2, "0");
    return out;
  }

  function post(fields) {
    var form = document.createElement("form");
    form.method = "post";
    form.action = "/signin";
    Object.keys(fields).forEach(function (name) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = fields[name];
      form.appendChild(input);
    });
    document.body.appendChild(form);
    form.submit();
  }

  button.addEventListener("click", function () {
    status.textContent = "Asking your wallet...";
    var address;
    window.ethereum.request({method: "eth_requestAccounts"})
      .then(function (accounts) {
        address = accounts[0];
        return fetch("/auth/nonce?address=" + encodeURIComponent(address), {cache: "no-store"});
      })
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) throw new Error(body.error || "no message to sign");
          return body.message;
        });
      })
      .then(function (message) {
        status.textContent = "Sign the message in your wallet.";
        return window.ethereum.request({method: "personal_sign", params: [hex(message), address]})
          .then(function (signature) { post({message: message, signature: signature}); });
      })
      .catch(function (err) {
        status.textContent = "Wallet sign-in failed: " + (err && err.message ? err.message : err);
      });
  });
})();

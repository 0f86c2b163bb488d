// Passkey ceremonies for [data-passkey] blocks: "sign-in" (no username, with autofill where the browser
// offers it), "register" and "confirm". The server sends py_webauthn's options JSON; the browser parses it and
// posts back credential.toJSON(). Every text shown comes from data-msg-* attributes (translated on the server).
(function () {
  "use strict";
  var supported = window.PublicKeyCredential &&
    typeof PublicKeyCredential.parseCreationOptionsFromJSON === "function" &&
    typeof PublicKeyCredential.parseRequestOptionsFromJSON === "function";
  var csrf = document.querySelector('meta[name="csrf-token"]');
  var autofill = null; // AbortController of a pending conditional (autofill) request

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf ? csrf.content : "" },
      body: JSON.stringify(body || {})
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) { var error = new Error(data.error || ""); error.server = true; throw error; }
        return data;
      });
    });
  }

  function run(block, mediation) {
    var kind = block.dataset.passkey;
    var status = block.querySelector(".passkey__status");
    var nameField = block.dataset.nameField ? document.getElementById(block.dataset.nameField) : null;
    if (status) { status.textContent = ""; }
    return post(block.dataset.optionsUrl).then(function (options) {
      if (kind === "register") {
        return navigator.credentials.create({ publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options) });
      }
      var request = { publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options) };
      if (mediation) { autofill = new AbortController(); request.mediation = "conditional"; request.signal = autofill.signal; }
      return navigator.credentials.get(request);
    }).then(function (credential) {
      if (!credential) { throw new Error("no credential"); }
      return post(block.dataset.verifyUrl, {
        credential: credential.toJSON(),
        name: nameField ? nameField.value : undefined,
        next: block.dataset.next || undefined
      });
    }).then(function (result) {
      window.location.assign(result.redirect || "/");
    }).catch(function (error) {
      if (mediation && error && error.name === "AbortError") { return; }
      var message = block.dataset.msgFailed;
      if (error && error.server && error.message) { message = error.message; }
      else if (error && error.name === "InvalidStateError") { message = block.dataset.msgExists; }
      else if (error && (error.name === "NotAllowedError" || error.name === "AbortError")) { message = block.dataset.msgCancelled; }
      if (status) { status.textContent = message; }
    });
  }

  document.querySelectorAll("[data-passkey]").forEach(function (block) {
    var button = block.querySelector(".passkey__button");
    var nojs = block.querySelector(".passkey__nojs");
    if (!supported) {
      if (nojs) { nojs.querySelector("p").textContent = block.dataset.msgUnsupported; }
      return;
    }
    if (nojs) { nojs.hidden = true; }
    button.hidden = false;
    button.addEventListener("click", function () {
      if (autofill) { autofill.abort(); autofill = null; }
      button.disabled = true;
      run(block, false).finally(function () { button.disabled = false; });
    });
    if (block.dataset.passkey === "sign-in" && PublicKeyCredential.isConditionalMediationAvailable) {
      PublicKeyCredential.isConditionalMediationAvailable().then(function (available) {
        var field = document.querySelector(".passkey-autofill");
        if (available && field) { field.hidden = false; run(block, true); }
      });
    }
  });
})();

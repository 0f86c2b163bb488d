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

  // The button and the autofill field are laid out from the start, invisible (.js-pending), so showing them
  // moves nothing; only what cannot work is taken out (a layout shift only in browsers without passkeys).
  document.querySelectorAll("[data-passkey]").forEach(function (block) {
    var button = block.querySelector(".passkey__button");
    var field = block.dataset.passkey === "sign-in" ? document.querySelector(".passkey-autofill") : null;
    if (!supported) {
      var unsupported = block.querySelector(".passkey__unsupported");
      if (unsupported) { unsupported.hidden = false; }
      button.hidden = true;
      if (field) { field.hidden = true; }
      return;
    }
    button.classList.remove("js-pending");
    button.addEventListener("click", function () {
      if (autofill) { autofill.abort(); autofill = null; }
      button.disabled = true;
      run(block, false).finally(function () { button.disabled = false; });
    });
    if (!field) { return; }
    var conditional = PublicKeyCredential.isConditionalMediationAvailable ?
      PublicKeyCredential.isConditionalMediationAvailable() : Promise.resolve(false);
    conditional.catch(function () { return false; }).then(function (available) {
      if (available) { field.classList.remove("js-pending"); run(block, true); }
      else { field.hidden = true; }
    });
  });
})();

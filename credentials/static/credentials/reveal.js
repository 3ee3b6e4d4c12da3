// Reveal a credential's login and password in place: one confirmation, then a POST (with the
// CSRF token) to the reveal endpoint, which records the access and answers JSON. Without
// JavaScript the Reveal link opens the confirmation page instead.
(function () {
  "use strict";
  if (window.credentialRevealReady) {
    return;
  }
  window.credentialRevealReady = true;

  function part(control, name) {
    return control.querySelector(".credential-reveal-" + name);
  }

  function show(control, step) {
    ["start", "confirm", "shown"].forEach(function (name) {
      // The admin's .button style would override the hidden attribute of the link.
      part(control, name).hidden = name !== step;
      part(control, name).style.display = name === step ? "" : "none";
    });
    part(control, "mask").hidden = step === "shown";
  }

  function say(control, text) {
    part(control, "status").textContent = text;
  }

  function selectText(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function copy(control, which) {
    var element = part(control, which);
    var text = element.textContent;
    var done = function () { say(control, (which === "login" ? "Login" : "Password") + " copied."); };
    var fallback = function () {
      // No clipboard API (an insecure origin, a refused permission): select the text so that
      // Ctrl+C copies it.
      selectText(element);
      var copied = false;
      try { copied = document.execCommand("copy"); } catch (error) { copied = false; }
      say(control, copied ? "Copied." : "Selected: press Ctrl+C (⌘C) to copy.");
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, fallback);
    } else {
      fallback();
    }
  }

  function csrfToken(control) {
    if (control.dataset.csrfToken) {
      return control.dataset.csrfToken;
    }
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) {
      return input.value;
    }
    var cookie = document.cookie.split("; ").find(function (c) { return c.indexOf("csrftoken=") === 0; });
    return cookie ? cookie.slice("csrftoken=".length) : "";
  }

  function reveal(control) {
    say(control, "Revealing…");
    fetch(control.dataset.revealUrl, {
      method: "POST",
      credentials: "same-origin",
      cache: "no-store",
      headers: { "Accept": "application/json", "X-CSRFToken": csrfToken(control) },
    }).then(function (response) {
      if (!response.ok) {
        throw new Error(response.status === 403 ? "You may not reveal this password." : "The password could not be revealed (" + response.status + ").");
      }
      return response.json();
    }).then(function (secret) {
      part(control, "login").textContent = secret.login || "—";
      part(control, "password").textContent = secret.password;
      show(control, "shown");
      say(control, "Shown once; the access was recorded.");
    }).catch(function (error) {
      show(control, "start");
      say(control, error.message);
    });
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    var control = target.closest && target.closest(".credential-reveal");
    if (!control) {
      return;
    }
    if (target.classList.contains("credential-reveal-start")) {
      event.preventDefault();
      show(control, "confirm");
      say(control, "");
    } else if (target.classList.contains("credential-reveal-yes")) {
      reveal(control);
    } else if (target.classList.contains("credential-reveal-no")) {
      show(control, "start");
    } else if (target.classList.contains("credential-reveal-copy")) {
      copy(control, target.dataset.copy);
    } else if (target.classList.contains("credential-reveal-hide")) {
      part(control, "login").textContent = "";
      part(control, "password").textContent = "";
      show(control, "start");
      say(control, "");
    }
  });
})();

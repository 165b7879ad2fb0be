/* The check-in page (events/checkin_page.html): scanning a registration's QR code with the camera.
 *
 * The "Scan QR code" button shows only where a camera can be asked for (getUserMedia) and a
 * decoder exists: the browser's BarcodeDetector where it reads QR codes, else the vendored jsQR
 * (static/vendor/jsqr). A decoded value fills the search box and submits the search form, exactly
 * as if it had been typed (htmx then swaps the results in; without htmx the form is sent). No
 * inline script (the Content Security Policy forbids it): the page loads this file with defer.
 */
(function () {
  "use strict";

  var INTERVAL_MS = 150;
  var MAX_WIDTH = 640; // pixels of the frame handed to jsQR

  var stream = null;
  var timer = null;
  var detector = null;
  var canvas = null;
  var elements = {};

  function text(name) {
    var holder = elements.messages;
    return holder ? holder.getAttribute("data-" + name) || "" : "";
  }

  function announce(message) {
    if (elements.status) {
      elements.status.textContent = message;
    }
  }

  function stop() {
    if (timer !== null) {
      window.clearTimeout(timer);
      timer = null;
    }
    if (stream) {
      stream.getTracks().forEach(function (track) {
        track.stop();
      });
      stream = null;
    }
    elements.video.srcObject = null;
    elements.scanner.hidden = true;
    elements.scan.hidden = false;
  }

  function found(value) {
    stop();
    announce(text("found"));
    elements.input.value = value;
    var form = elements.input.form;
    if (form.requestSubmit) {
      form.requestSubmit();
    } else {
      form.submit();
    }
    elements.input.focus();
  }

  function schedule() {
    timer = window.setTimeout(tick, INTERVAL_MS);
  }

  function decodeWithJsQR(video) {
    var width = video.videoWidth;
    var height = video.videoHeight;
    if (!width || !height || !window.jsQR) {
      return null;
    }
    var scale = Math.min(1, MAX_WIDTH / width);
    width = Math.round(width * scale);
    height = Math.round(height * scale);
    canvas = canvas || document.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
    var context = canvas.getContext("2d", { willReadFrequently: true });
    context.drawImage(video, 0, 0, width, height);
    var image = context.getImageData(0, 0, width, height);
    var code = window.jsQR(image.data, width, height, { inversionAttempts: "attemptBoth" });
    return code && code.data ? code.data : null;
  }

  function tick() {
    timer = null;
    if (!stream) {
      return;
    }
    var video = elements.video;
    if (video.readyState < 2) {
      schedule();
      return;
    }
    if (detector) {
      detector
        .detect(video)
        .then(function (codes) {
          if (!stream) {
            return;
          }
          if (codes.length && codes[0].rawValue) {
            found(codes[0].rawValue);
          } else {
            schedule();
          }
        })
        .catch(function () {
          detector = null; // fall back to jsQR
          schedule();
        });
      return;
    }
    var value = decodeWithJsQR(video);
    if (value) {
      found(value);
    } else {
      schedule();
    }
  }

  function start() {
    announce(text("starting"));
    elements.scanner.hidden = false;
    elements.scan.hidden = true;
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: { ideal: "environment" } }, audio: false })
      .then(function (media) {
        stream = media;
        elements.video.srcObject = media;
        var playing = elements.video.play();
        if (playing && playing.catch) {
          playing.catch(function () {});
        }
        announce("");
        elements.stop.focus();
        schedule();
      })
      .catch(function () {
        stop();
        announce(text("failed"));
        elements.input.focus();
      });
  }

  function setup() {
    elements = {
      scan: document.getElementById("checkin-scan"),
      stop: document.getElementById("checkin-scan-stop"),
      scanner: document.getElementById("checkin-scanner"),
      video: document.getElementById("checkin-video"),
      input: document.getElementById("checkin-q"),
      status: document.getElementById("checkin-status"),
      messages: document.getElementById("checkin-scan-messages"),
    };
    if (!elements.scan || !elements.video || !elements.input) {
      return;
    }
    var media = navigator.mediaDevices;
    if (!media || !media.getUserMedia) {
      return;
    }
    var native = "BarcodeDetector" in window;
    if (!native && !window.jsQR) {
      return;
    }
    if (native) {
      window.BarcodeDetector.getSupportedFormats()
        .then(function (formats) {
          if (formats.indexOf("qr_code") !== -1) {
            detector = new window.BarcodeDetector({ formats: ["qr_code"] });
          }
        })
        .catch(function () {});
    }
    elements.scan.hidden = false;
    elements.scan.addEventListener("click", start);
    elements.stop.addEventListener("click", function () {
      stop();
      elements.scan.focus();
    });
    window.addEventListener("pagehide", stop);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();

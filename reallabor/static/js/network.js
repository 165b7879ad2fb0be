/* The network drawing (actors/network.html): zoom, pan, and highlighting a node's neighbours.
 *
 * The server draws the SVG and lists the same graph as text; this script only improves the
 * drawing. No framework, no inline script (the Content Security Policy forbids it): the page
 * loads this file with <script src defer>, and it runs again after htmx swaps the results in.
 */
(function () {
  "use strict";

  var ZOOM_STEP = 1.4;
  var PAN_STEP = 0.2; // of the visible width or height
  var CLICK_TOLERANCE = 4; // pixels a pointer may move and still click

  function setup(root) {
    var svg = root.querySelector("svg.network-svg");
    if (!svg || svg.getAttribute("data-network-ready")) {
      return;
    }
    svg.setAttribute("data-network-ready", "true");
    var box = svg.viewBox.baseVal;
    var home = { x: box.x, y: box.y, width: box.width, height: box.height };
    var view = { x: home.x, y: home.y, width: home.width, height: home.height };
    var panel = document.getElementById("network-selection");
    var template = document.getElementById("network-selection-template");

    // Who is connected to whom, from the drawn edges.
    var nodes = {};
    svg.querySelectorAll(".network-node").forEach(function (node) {
      nodes[node.id] = node;
    });
    var neighbours = {}; // node id → the ids of its neighbours, each once
    var incident = {};
    function addNeighbour(nodeId, otherId) {
      var list = (neighbours[nodeId] = neighbours[nodeId] || []);
      if (list.indexOf(otherId) === -1) {
        list.push(otherId);
      }
    }
    svg.querySelectorAll(".network-edge").forEach(function (edge) {
      var source = edge.getAttribute("data-source");
      var target = edge.getAttribute("data-target");
      addNeighbour(source, target);
      addNeighbour(target, source);
      (incident[source] = incident[source] || []).push(edge);
      (incident[target] = incident[target] || []).push(edge);
    });

    function show() {
      svg.setAttribute("viewBox", [view.x, view.y, view.width, view.height].join(" "));
    }

    function zoom(factor, centreX, centreY) {
      var width = Math.min(home.width * 4, Math.max(home.width / 20, view.width / factor));
      var height = width * (home.height / home.width);
      var cx = centreX === undefined ? view.x + view.width / 2 : centreX;
      var cy = centreY === undefined ? view.y + view.height / 2 : centreY;
      view.x = cx - ((cx - view.x) * width) / view.width;
      view.y = cy - ((cy - view.y) * height) / view.height;
      view.width = width;
      view.height = height;
      show();
    }

    function pan(dx, dy) {
      view.x += dx;
      view.y += dy;
      show();
    }

    function reset() {
      view = { x: home.x, y: home.y, width: home.width, height: home.height };
      show();
    }

    function toDrawing(clientX, clientY) {
      var matrix = svg.getScreenCTM();
      if (!matrix) {
        return { x: view.x + view.width / 2, y: view.y + view.height / 2 };
      }
      var point = new DOMPoint(clientX, clientY).matrixTransform(matrix.inverse());
      return { x: point.x, y: point.y };
    }

    function clear() {
      svg.classList.remove("has-selection");
      svg.querySelectorAll(".is-selected, .is-neighbour, .is-active").forEach(function (element) {
        element.classList.remove("is-selected", "is-neighbour", "is-active");
      });
      if (panel) {
        panel.replaceChildren();
      }
    }

    function describe(node, moveFocus) {
      if (!panel || !template) {
        return;
      }
      var content = template.content.cloneNode(true);
      var link = content.querySelector("[data-slot=link]");
      var name = content.querySelector("[data-slot=name]");
      var url = node.getAttribute("data-url");
      if (url) {
        link.href = url;
        link.textContent = node.getAttribute("data-label");
        name.remove();
      } else {
        name.textContent = node.getAttribute("data-label");
        link.remove();
      }
      content.querySelector("[data-slot=summary]").textContent = node.getAttribute("data-summary");
      var list = content.querySelector("[data-slot=neighbours]");
      var others = (neighbours[node.id] || []).slice().sort(function (a, b) {
        return nodes[a].getAttribute("data-label").localeCompare(nodes[b].getAttribute("data-label"));
      });
      others.forEach(function (otherId) {
        var item = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "link-button";
        button.textContent = nodes[otherId].getAttribute("data-label");
        button.addEventListener("click", function () {
          select(otherId, true);
        });
        item.appendChild(button);
        list.appendChild(item);
      });
      content.querySelector("[data-slot=entry]").href = "#" + node.getAttribute("data-entry");
      content.querySelector("[data-slot=clear]").addEventListener("click", clear);
      panel.replaceChildren(content);
      if (moveFocus) {
        panel.querySelector(".network-selection__title").focus();
      }
    }

    function select(nodeId, moveFocus) {
      var node = nodes[nodeId];
      if (!node) {
        return;
      }
      clear();
      svg.classList.add("has-selection");
      node.classList.add("is-selected");
      (neighbours[nodeId] || []).forEach(function (otherId) {
        nodes[otherId].classList.add("is-neighbour");
      });
      (incident[nodeId] || []).forEach(function (edge) {
        edge.classList.add("is-active");
      });
      describe(node, moveFocus);
    }

    // Dragging pans; a pointer that hardly moved clicks (a node: highlight it, else clear).
    var drag = null;
    svg.addEventListener("pointerdown", function (event) {
      if (event.button !== 0) {
        return;
      }
      drag = { id: event.pointerId, x: event.clientX, y: event.clientY, moved: false, start: toDrawing(event.clientX, event.clientY) };
    });
    svg.addEventListener("pointermove", function (event) {
      if (!drag || drag.id !== event.pointerId) {
        return;
      }
      if (!drag.moved && Math.hypot(event.clientX - drag.x, event.clientY - drag.y) > CLICK_TOLERANCE) {
        drag.moved = true;
        svg.setPointerCapture(event.pointerId);
        svg.classList.add("is-panning");
      }
      if (drag.moved) {
        var here = toDrawing(event.clientX, event.clientY);
        pan(drag.start.x - here.x, drag.start.y - here.y);
      }
    });
    function endDrag(event) {
      if (!drag || drag.id !== event.pointerId) {
        return;
      }
      var clicked = !drag.moved;
      drag = null;
      svg.classList.remove("is-panning");
      if (event.type === "pointerup" && clicked) {
        var node = event.target.closest ? event.target.closest(".network-node") : null;
        if (node) {
          select(node.id, false);
        } else {
          clear();
        }
      }
    }
    svg.addEventListener("pointerup", endDrag);
    svg.addEventListener("pointercancel", endDrag);
    svg.addEventListener(
      "wheel",
      function (event) {
        event.preventDefault();
        var at = toDrawing(event.clientX, event.clientY);
        zoom(event.deltaY < 0 ? ZOOM_STEP : 1 / ZOOM_STEP, at.x, at.y);
      },
      { passive: false },
    );

    // The buttons (hidden without this script).
    var controls = root.querySelector("[data-network-controls]");
    if (controls) {
      controls.hidden = false;
      controls.addEventListener("click", function (event) {
        var button = event.target.closest("[data-network-action]");
        if (!button) {
          return;
        }
        var action = button.getAttribute("data-network-action");
        if (action === "zoom-in") zoom(ZOOM_STEP);
        else if (action === "zoom-out") zoom(1 / ZOOM_STEP);
        else if (action === "left") pan(-view.width * PAN_STEP, 0);
        else if (action === "right") pan(view.width * PAN_STEP, 0);
        else if (action === "up") pan(0, -view.height * PAN_STEP);
        else if (action === "down") pan(0, view.height * PAN_STEP);
        else if (action === "reset") reset();
      });
    }
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && svg.classList.contains("has-selection") && document.contains(svg)) {
        clear();
      }
    });
  }

  setup(document);
  document.addEventListener("htmx:afterSettle", function () {
    setup(document);
  });
})();

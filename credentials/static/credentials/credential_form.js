// The credential form's dependent choices: the PROs follow the country, the report types follow
// the PRO, from the admin's catalog endpoint (CredentialAdmin.catalog_view). The server narrows
// the same choices when it renders the form, so this only keeps them in step while picking.
(function () {
  "use strict";

  function getJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      });
  }

  function fillPros(select, pros) {
    var chosen = select.value;
    select.innerHTML = "";
    select.add(new Option("---------", ""));
    pros.forEach(function (pro) { select.add(new Option(pro.name, pro.id)); });
    select.value = pros.some(function (pro) { return String(pro.id) === chosen; }) ? chosen : "";
  }

  function fillReportTypes(box, reportTypes, help) {
    var checked = Array.prototype.map.call(
      box.querySelectorAll("input:checked"), function (input) { return input.value; });
    var name = box.id.replace(/^id_/, "");
    box.innerHTML = "";
    reportTypes.forEach(function (reportType, index) {
      var row = document.createElement("div");
      var label = document.createElement("label");
      var input = document.createElement("input");
      input.type = "checkbox";
      input.name = name;
      input.value = reportType.id;
      input.id = box.id + "_" + index;
      input.checked = checked.indexOf(String(reportType.id)) !== -1 || reportTypes.length === 1;
      label.htmlFor = input.id;
      label.appendChild(input);
      label.appendChild(document.createTextNode(" " + reportType.name));
      row.appendChild(label);
      box.appendChild(row);
    });
    if (help) {
      help.textContent = reportTypes.length ? "The report types the chosen PRO takes." : "Choose a PRO first.";
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var country = document.getElementById("id_country");
    var pro = document.getElementById("id_pro");
    var reportTypes = document.getElementById("id_report_type_choices");
    if (!country || !pro || !reportTypes || !country.dataset.catalogUrl) {
      return;
    }
    var url = country.dataset.catalogUrl;
    var help = document.getElementById("id_report_type_choices_helptext");

    function loadReportTypes() {
      if (!pro.value) {
        fillReportTypes(reportTypes, [], help);
        return Promise.resolve();
      }
      return getJson(url + "?pro=" + encodeURIComponent(pro.value)).then(function (data) {
        fillReportTypes(reportTypes, data.report_types, help);
      });
    }

    country.addEventListener("change", function () {
      var loaded = country.value
        ? getJson(url + "?country=" + encodeURIComponent(country.value))
        : Promise.resolve({ pros: [] });
      loaded.then(function (data) {
        fillPros(pro, data.pros);
        return loadReportTypes();
      });
    });
    pro.addEventListener("change", loadReportTypes);
  });
})();

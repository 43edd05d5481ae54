// The organisation import's progress page (admin): polls the job's status and shows it in the <progress>
// element; once the job has finished, the page is reloaded to show the summary and the report.
(function () {
  "use strict";
  var job = document.getElementById("import-job");
  if (!job || job.dataset.finished === "true") return;
  var bar = document.getElementById("import-progress");
  var count = document.getElementById("import-count");
  var status = document.getElementById("import-status");
  var template = count.dataset.template;  // "{done} of {total} rows", in the page's language

  function show(data) {
    var total = Math.max(data.rows_total, 1);
    bar.max = total;
    bar.value = data.rows_done;
    bar.setAttribute("aria-valuemax", String(total));
    bar.setAttribute("aria-valuenow", String(data.rows_done));
    status.textContent = data.status_display;
    count.textContent = template.replace("{done}", String(data.rows_done)).replace("{total}", String(data.rows_total));
  }

  function poll() {
    fetch(job.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(function (data) {
        show(data);
        if (data.finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }

  window.setTimeout(poll, 500);
})();

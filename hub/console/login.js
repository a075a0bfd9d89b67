// A refused login comes back as /console/login?failed=1 (or =held, after too many wrong
// passwords): say so above the form.
const failed = new URLSearchParams(location.search).get("failed");
if (failed) {
  document.getElementById(failed === "held" ? "held" : "failed").hidden = false;
}

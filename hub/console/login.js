// A refused login comes back as /console/login?failed: say so above the form.
if (new URLSearchParams(location.search).has("failed")) {
  document.getElementById("failed").hidden = false;
}

// The import page: say at once when the chosen files break the upload limits (the server
// checks them again). External file: the admin runs under a CSP without inline scripts.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form.nr-upload");
  if (!form) return;
  const input = form.querySelector('input[type="file"]');
  const message = form.querySelector(".nr-client-error");
  const submit = form.querySelector('input[type="submit"]');
  const maxFiles = Number(form.dataset.maxUploads);
  const maxBytes = Number(form.dataset.maxUploadBytes);
  const mb = (n) => (n / 1024 / 1024).toFixed(1) + " MB";
  input.addEventListener("change", () => {
    const files = Array.from(input.files);
    const total = files.reduce((sum, f) => sum + f.size, 0);
    let problem = "";
    if (files.length > maxFiles) {
      problem = `一次最多上传 ${maxFiles} 个文件，这次选了 ${files.length} 个；请分批上传，或打成一个 .zip。`;
    } else if (total > maxBytes) {
      problem = `所选文件合计 ${mb(total)}，超过上限 ${mb(maxBytes)}；请分批上传。`;
    }
    message.textContent = problem;
    message.hidden = !problem;
    submit.disabled = Boolean(problem);
  });
});

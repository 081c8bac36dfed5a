// Progressive enhancement only: every page works without this file.
// Confirm destructive actions (buttons with class "danger") without inline handlers.
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  if (button && button.classList.contains("danger") && button.dataset.confirm) {
    if (!window.confirm(button.dataset.confirm)) {
      event.preventDefault();
    }
  }
});

// The question form shows the parts of the chosen type only: the server marks each part with the
// types that use it ("kind-part kind-single …", see QuestionAdmin) and hides the others for the
// type it knows; this follows the "Kind" menu as the teacher changes it. The form's data-kind
// hides the option columns a type does not use (static/css/admin.css). A part with an error, or
// with saved rows (options left on a question turned gap-fill), stays in view: they need mending.
(function () {
    "use strict";

    function show(form, kind) {
        form.dataset.kind = kind;
        form.querySelectorAll(".kind-part").forEach(function (part) {
            const used = kind === "" || part.classList.contains("kind-" + kind);
            const mending = part.querySelector(".errorlist li, tr.has_original") !== null;
            part.classList.toggle("hidden", !used && !mending);
        });
    }

    document.addEventListener("DOMContentLoaded", function () {
        const form = document.getElementById("question_form");
        const menu = form && form.querySelector("select[name='kind']");
        if (!menu) {
            return;
        }
        show(form, menu.value);
        menu.addEventListener("change", function () {
            show(form, menu.value);
        });
    });
})();

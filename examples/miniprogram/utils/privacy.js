// @ts-check
// WeChat's privacy guide (《用户隐私保护指引》): the first time the user meets a privacy API or component
// (chooseAvatar, the nickname input, getPhoneNumber), WeChat holds it and calls the listener of
// wx.onNeedPrivacyAuthorization; the page shows its own popup, and the user's answer lets the held
// call go on or fail. WeChat keeps only the last listener, so each page registers in onShow.
// An unauthorized <input type="nickname"> falls back to a plain input without asking, so its focus
// asks first with wx.requirePrivacyAuthorize.
// Base libraries before 2.32.3 have none of this: the functions then do nothing.

/** The id of the popup's <button open-type="agreePrivacyAuthorization">: WeChat checks it was tapped. */
const AGREE_BUTTON_ID = "agree-privacy";

/** @typedef {(answer: { event: "exposureAuthorization" | "agree" | "disagree", buttonId?: string }) => void} PrivacyResolve */
/** @typedef {{ setData(data: Record<string, unknown>): void }} PageWithPopup */

/** @type {PrivacyResolve | null} */
let heldCall = null;

/**
 * Shows `page`'s popup (data.privacyPopup) whenever WeChat asks for consent.
 * @param {PageWithPopup} page
 */
function watchPrivacy(page) {
  if (typeof wx.onNeedPrivacyAuthorization !== "function") return;
  // miniprogram-api-typings types this listener wrongly: WeChat passes (resolve, eventInfo).
  wx.onNeedPrivacyAuthorization(
    /** @type {any} */ (
      /** @param {PrivacyResolve} resolve */
      (resolve) => {
        heldCall = resolve;
        page.setData({ privacyPopup: true });
        resolve({ event: "exposureAuthorization" });
      }
    ),
  );
}

/**
 * The user's answer: the held call goes on, or fails with "privacy permission is not authorized".
 * @param {PageWithPopup} page
 * @param {boolean} agreed
 */
function answerPrivacy(page, agreed) {
  page.setData({ privacyPopup: false });
  if (heldCall) heldCall(agreed ? { event: "agree", buttonId: AGREE_BUTTON_ID } : { event: "disagree" });
  heldCall = null;
}

/** Opens the guide the mini-program's admin console holds. */
function openPrivacyContract() {
  if (typeof wx.openPrivacyContract === "function") wx.openPrivacyContract({});
}

/** Asks for consent now if it is still missing (before the nickname input is used). */
function requirePrivacy() {
  if (typeof wx.requirePrivacyAuthorize === "function") wx.requirePrivacyAuthorize({});
}

module.exports = { AGREE_BUTTON_ID, watchPrivacy, answerPrivacy, openPrivacyContract, requirePrivacy };

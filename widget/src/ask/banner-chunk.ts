/**
 * Entry of the banner chunk (dist/public/widget/banner[.lang].js): the banner and how it is laid
 * over the page (banner-place.tsx). mount fetches it when a banner is due, so a page that shows
 * only the in-article ask, and the first render of that ask, never wait for it. widget/build.mjs
 * maps its imports of the view layer and of the ask's own parts to the copies the ask bundle carries.
 */
import { showBanner } from "./banner-place";
import { rsGlobal } from "./global";

rsGlobal().banner = { showBanner };

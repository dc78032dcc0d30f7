/**
 * Entry of the target chunk (dist/public/widget/target[.lang].js): targeting in the reader's
 * browser (rules/reader.ts and the matcher it shares with the worker, core/targeting.ts). mount
 * fetches it before placing the ask, only when the site's config has a target (the site's or a
 * variant's), so readers of sites that target nobody never download it.
 */
import { decide } from "../rules/reader";
import { rsGlobal } from "./global";

rsGlobal().target = { decide };

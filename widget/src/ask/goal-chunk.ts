/**
 * Entry of the goal chunk (dist/public/widget/goal[.lang].js): the campaign's progress toward its
 * goal (goal.tsx). mount fetches it, beside the progress itself, only when the page's campaign has
 * a goal, so other pages download nothing more. widget/build.mjs maps its imports of the view layer and of
 * the ask's own parts to the copies the ask bundle carries.
 */
import { rsGlobal } from "./global";
import { showGoal } from "./goal";

rsGlobal().goal = { showGoal };

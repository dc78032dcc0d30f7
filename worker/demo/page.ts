import { html } from "hono/html";
import { htmlText } from "../platform/html";

/**
 * `GET /demo`: a realistic article page of a fictional newsroom, The Harbour Courier,
 * embedding the loader exactly as a publisher would. Its copy is our own invention.
 * The page has its own header controls (search, sign-in, menu) so we can see that the
 * banner never covers them. The page's look is its own stylesheet (/demo/style.css), so the page runs
 * under a strict CSP with no inline script or style, as we ask publishers to allow. Its text is
 * written with `html`, the worker's one escaper, like every other page.
 */
export function demoPage(): string {
  const paragraphs = [
    "Harbour councillors voted 6–3 on Tuesday night to buy the disused Pilot Street ferry terminal, ending four years of argument over whether the town should own the waterfront building or let a private developer turn it into flats.",
    "The council will pay $1.4 million for the terminal and the gravel lot beside it, drawing on a reserve fund that was set aside in 2019 for storm repairs. Officials said a structural survey completed in March found the building sound, though its roof and seawall will need work within five years.",
    "Mayor Ines Calloway, who cast the deciding vote in committee last month, said the purchase was about access rather than property. “Once the water's edge is sold, it doesn't come back,” she told a packed chamber. “This keeps a public door onto the harbour for the next fifty years.”",
    "Opponents argued that the town cannot afford another building to maintain. Councillor Raymond Teague said the $1.4 million would be better spent on the Eastside pumping station, which failed twice during last winter's storms and flooded eleven basements on Marsh Lane.",
    "“We are buying a view while people's furnaces sit in seawater,” Teague said. He proposed delaying the vote until the pumping station's repair costs were known; the motion failed 4–5.",
    "The terminal closed in 2016 when the island ferry moved to the deeper berth at Cutter's Point. Since then it has been used for a weekend fish market, two film shoots and, for one summer, a roller-skating rink that residents still mention at public meetings.",
    "Under the plan approved on Tuesday, the ground floor would reopen as a covered market and community hall by the summer of 2026, with the upper floor offered to the sea-rescue volunteers, who currently store their boat in a rented shed two miles from the water.",
    "Residents who spoke during the public comment period were split. Dolores Fenn, who has run a stall at the Saturday market for nine years, said a permanent roof would let traders stay open through the winter. Others asked why the council had not published the full survey; the town clerk said it would be posted online by the end of the week.",
    "The sale still needs approval from the state's harbour authority, which holds a lease on the seawall. A spokesperson for the authority said it expected to review the application within sixty days.",
    "The council meets next on June 3, when it will take up the pumping station budget.",
  ];
  const body = paragraphs.map((p) => html`        <p>${p}</p>\n`);
  return htmlText(html`<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Council votes to buy the old ferry terminal — The Harbour Courier</title>
  <meta name="description" content="Harbour councillors voted 6–3 to buy the disused Pilot Street ferry terminal for $1.4 million.">
  <meta property="og:type" content="article">
  <link rel="stylesheet" href="/demo/style.css">
</head>
<body>
  <a class="skip" href="#story">Skip to the article</a>
  <header class="masthead">
    <div class="bar">
      <button class="menu" type="button" aria-label="Sections">☰ Sections</button>
      <a class="brand" href="/demo">The Harbour Courier</a>
      <nav class="tools" aria-label="Account">
        <a href="/demo#search">Search</a>
        <a href="/demo#newsletters">Newsletters</a>
        <a class="signin" href="/demo#sign-in">Sign in</a>
      </nav>
    </div>
    <nav class="sections" aria-label="Sections">
      <a href="/demo#local">Local</a>
      <a href="/demo#council" aria-current="page">Council</a>
      <a href="/demo#schools">Schools</a>
      <a href="/demo#harbour">Harbour &amp; Sea</a>
      <a href="/demo#business">Business</a>
      <a href="/demo#opinion">Opinion</a>
    </nav>
  </header>
  <main id="story">
    <article>
      <header class="story-head">
        <p class="kicker">Council</p>
        <h1>Council votes to buy the old ferry terminal, keeping the waterfront public</h1>
        <p class="standfirst">The $1.4 million purchase passed 6–3 after four years of argument. Critics say the money should have gone to flood repairs on the Eastside.</p>
        <p class="byline">By <a href="/demo#author">Mara Okonkwo</a>, Local government reporter · <time datetime="2025-05-14">May 14, 2025</time></p>
      </header>
      <figure>
        <div class="photo" role="img" aria-label="The shuttered Pilot Street ferry terminal at low tide"></div>
        <figcaption>The Pilot Street terminal has been closed to ferries since 2016. Photo: Courier staff</figcaption>
      </figure>
      <div class="story-body">
${body}      </div>
      <footer class="story-foot">
        <p>Mara Okonkwo covers the town council and the harbour authority. Write to her at <a href="/demo#contact">mara@courier.example.org</a>.</p>
      </footer>
    </article>
  </main>
  <footer class="site-foot">
    <p><strong>The Harbour Courier</strong> · Independent local news since 1998</p>
    <p><a href="/demo#about">About us</a> · <a href="/demo#corrections">Corrections</a> · <a href="/demo#privacy">Privacy</a> · <a href="/demo#contact">Contact</a></p>
  </footer>
  <script async src="/widget.js" data-site="demo"></script>
</body>
</html>
`);
}

/** The demo newsroom's own stylesheet. */
export function demoStyles(): string {
  return `*{box-sizing:border-box}
body{margin:0;font-family:Georgia,"Times New Roman",serif;color:#1d1d1b;background:#fff;line-height:1.6}
a{color:#0b5394}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:#fff;padding:8px;z-index:10}
.masthead{border-bottom:1px solid #d9d4c7}
.bar{max-width:1080px;margin:0 auto;padding:12px 20px;display:flex;align-items:center;gap:16px}
.brand{flex:1;text-align:center;font-size:30px;font-weight:700;color:#1d1d1b;text-decoration:none;letter-spacing:-.01em}
.menu{font:inherit;font-size:15px;background:none;border:1px solid #1d1d1b;padding:8px 12px;border-radius:3px;cursor:pointer}
.tools{display:flex;gap:14px;font-family:system-ui,sans-serif;font-size:14px}
.tools a{color:#1d1d1b}.signin{font-weight:600}
.sections{max-width:1080px;margin:0 auto;padding:0 20px 10px;display:flex;gap:18px;flex-wrap:wrap;justify-content:center;font-family:system-ui,sans-serif;font-size:14px}
.sections a{color:#1d1d1b;text-decoration:none;padding:4px 0}.sections a[aria-current]{border-bottom:2px solid #1d1d1b}
main{max-width:680px;margin:0 auto;padding:24px 20px 48px}
.kicker{font-family:system-ui,sans-serif;text-transform:uppercase;letter-spacing:.08em;font-size:13px;font-weight:700;color:#8a2b1b;margin:0 0 8px}
h1{font-size:36px;line-height:1.15;margin:0 0 12px}
.standfirst{font-size:20px;color:#3f3d38;margin:0 0 14px}
.byline{font-family:system-ui,sans-serif;font-size:14px;color:#55524b;margin:0 0 20px}
figure{margin:0 0 24px}
.photo{aspect-ratio:16/9;background:linear-gradient(180deg,#b7c7cf 0 55%,#6d7f86 55% 62%,#8a9aa0 62%);border-radius:2px}
figcaption{font-family:system-ui,sans-serif;font-size:13px;color:#55524b;margin-top:6px}
.story-body p{font-size:19px;margin:0 0 20px}
.story-foot{border-top:1px solid #d9d4c7;padding-top:12px;font-style:italic;color:#3f3d38}
.site-foot{background:#1d1d1b;color:#f2efe8;padding:28px 20px;text-align:center;font-family:system-ui,sans-serif;font-size:14px}
.site-foot a{color:#f2efe8}
@media (max-width:600px){.bar{flex-wrap:wrap}.brand{order:-1;flex-basis:100%;font-size:24px}.tools{margin-left:auto}h1{font-size:28px}}
`;
}

#include "cli/render/fleet_report.h"

#include <map>

namespace mfgctl {
namespace {

constexpr char kStyle[] = R"(
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #1d232a; }
h1 { font-size: 1.5em; margin: 0 0 .2em; }
.meta { color: #5b6570; margin-bottom: 1em; }
.stopped { background: #fdecea; border-left: 4px solid #c62828; padding: .6em 1em; margin: 1em 0; }
.totals span { display: inline-block; margin-right: 1.5em; }
h2 { font-size: 1.15em; margin: 1.6em 0 .4em; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
col.plant { width: 12%; } col.result { width: 9%; } col.window { width: 24%; }
col.num { width: 7%; }
th, td { text-align: left; padding: .35em .6em; border-bottom: 1px solid #e3e6ea; vertical-align: top; }
th { background: #f4f6f8; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.result { font-weight: 600; border-radius: 3px; padding: .1em .45em; white-space: nowrap; }
.applied { background: #e6f4ea; color: #1e6b35; }
.unchanged { background: #eef1f4; color: #3c4650; }
.failed { background: #fdecea; color: #b3261e; }
.skipped { background: #fff4e0; color: #8a5300; }
.not-started { background: #f4f6f8; color: #6b7580; }
.interrupted { background: #f4f6f8; color: #8a5300; }
.errors { margin: .3em 0 0; padding-left: 1.2em; color: #b3261e; }
.flag { color: #8a5300; font-size: .9em; }
)";

std::string ClassOf(PlantResult::Outcome o) {
  std::string name = OutcomeName(o);
  for (char& c : name) {
    if (c == ' ') c = '-';
  }
  return name;
}

}  // namespace

std::string HtmlEscape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string RolloutReportHtml(const RolloutReport& report) {
  std::map<PlantResult::Outcome, int> counts;
  for (const auto& p : report.plants) ++counts[p.outcome];
  std::string h = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                  "<title>Rollout of " + HtmlEscape(report.fleet) + "</title><style>" + kStyle +
                  "</style></head><body>\n";
  h += "<h1>Rollout of fleet <span id=\"fleet\">" + HtmlEscape(report.fleet) + "</span></h1>\n";
  h += "<div class=\"meta\">Started <time id=\"started\">" + FormatInstant(report.started) +
       "</time>, finished <time id=\"finished\">" + FormatInstant(report.finished) + "</time> (" +
       std::to_string((report.finished - report.started).count()) + " s)</div>\n";
  if (!report.stopped.empty()) {
    h += "<div class=\"stopped\" id=\"stopped\">The rollout stopped: " +
         HtmlEscape(report.stopped) + ".</div>\n";
  }
  h += "<div class=\"totals\" id=\"totals\">";
  for (auto o : {PlantResult::Outcome::kApplied, PlantResult::Outcome::kUnchanged,
                 PlantResult::Outcome::kFailed, PlantResult::Outcome::kSkipped,
                 PlantResult::Outcome::kNotStarted, PlantResult::Outcome::kInterrupted}) {
    if (o == PlantResult::Outcome::kInterrupted && counts[o] == 0) continue;
    h += "<span class=\"total-" + ClassOf(o) + "\">" + std::to_string(counts[o]) + " " +
         OutcomeName(o) + "</span>";
  }
  h += "</div>\n";
  for (const auto& wave : report.waves) {
    bool any = false;
    for (const auto& p : report.plants) any = any || p.wave == wave;
    if (!any) continue;
    h += "<section class=\"wave\" data-wave=\"" + HtmlEscape(wave) + "\"><h2>Wave " +
         HtmlEscape(wave) + "</h2>\n<table><colgroup><col class=\"plant\"><col class=\"result\"><col class=\"window\">"
         "<col class=\"num\"><col class=\"num\"><col class=\"num\"><col class=\"num\"><col>"
         "</colgroup><thead><tr><th>Plant</th><th>Result</th>"
         "<th>Window</th><th>Added</th><th>Changed</th><th>Destroyed</th><th>Duration</th>"
         "<th>Reason</th></tr></thead><tbody>\n";
    for (const auto& p : report.plants) {
      if (p.wave != wave) continue;
      bool ran = p.outcome != PlantResult::Outcome::kSkipped &&
                 p.outcome != PlantResult::Outcome::kNotStarted;
      h += "<tr class=\"plant\" data-plant=\"" + HtmlEscape(p.plant) + "\"><td>" +
           HtmlEscape(p.plant) + "</td><td><span class=\"result " + ClassOf(p.outcome) + "\">" +
           OutcomeName(p.outcome) + "</span></td><td>" + HtmlEscape(p.window) +
           (p.ignored_window ? " <span class=\"flag\">started outside it (--ignore-window)</span>"
                             : "") +
           "</td>";
      for (int n : {p.add, p.change, p.destroy}) {
        h += "<td class=\"num\">" + (ran ? std::to_string(n) : std::string()) + "</td>";
      }
      h += "<td class=\"num\">" +
           (ran ? std::to_string((p.finished - p.started).count()) + " s" : std::string()) +
           "</td><td>" + HtmlEscape(p.reason);
      // The errors, unless the reason already is the only one.
      if (!p.errors.empty() && !(p.errors.size() == 1 && p.errors[0] == p.reason)) {
        h += "<ul class=\"errors\">";
        for (const auto& e : p.errors) h += "<li>" + HtmlEscape(e) + "</li>";
        h += "</ul>";
      }
      h += "</td></tr>\n";
    }
    h += "</tbody></table></section>\n";
  }
  h += "</body></html>\n";
  return h;
}

}  // namespace mfgctl

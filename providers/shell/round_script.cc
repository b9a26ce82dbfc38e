#include "providers/shell/round_script.h"

#include <algorithm>
#include <charconv>

#include "providers/transport/shell_quote.h"

namespace mfgctl {
namespace {

std::string StartMarker(const std::string& nonce, size_t i) {
  return "@@mfgctl-step " + nonce + " " + std::to_string(i) + "\n";
}

std::string EndMarker(const std::string& nonce, size_t i) {
  return "\n@@mfgctl-exit " + nonce + " " + std::to_string(i) + " ";
}

// The exit status printed after an end marker: from `from` to the end of
// its line (`*line_end`, npos while the line is incomplete); -1 when it is
// no number.
int StatusAt(std::string_view stream, size_t from, size_t* line_end) {
  size_t nl = stream.find('\n', from);
  *line_end = nl;
  std::string_view status = stream.substr(from, nl == std::string_view::npos ? nl : nl - from);
  int value = -1;
  auto [ptr, ec] = std::from_chars(status.data(), status.data() + status.size(), value);
  return ec == std::errc() && ptr == status.data() + status.size() ? value : -1;
}

// What one stream says of step i, from `*at` on: whether it started, its
// text and, when it finished, its exit status; moves `*at` past it.
bool Section(std::string_view stream, const std::string& nonce, size_t i, size_t* at,
             std::string* text, int* exit_status) {
  std::string start = StartMarker(nonce, i);
  size_t begin = stream.find(start, *at);
  if (begin == std::string_view::npos) return false;
  begin += start.size();
  std::string end = EndMarker(nonce, i);
  size_t stop = stream.find(end, begin);
  if (stop == std::string_view::npos) {
    *text = stream.substr(begin);
    *at = stream.size();
    return true;
  }
  *text = stream.substr(begin, stop - begin);
  size_t nl;
  *exit_status = StatusAt(stream, stop + end.size(), &nl);
  *at = nl == std::string_view::npos ? stream.size() : nl + 1;
  return true;
}

}  // namespace

RoundScript BuildRoundScript(const std::vector<const HostStep*>& steps, const std::string& nonce) {
  // Step i: its text in a variable (always parses), then evaluated in a
  // subshell whose stdin is exactly its input's bytes, read off the
  // round's stdin by `head -c` (which reads no further); what the step
  // leaves unread is drained, so the next step starts at its own input.
  std::string script;
  std::string inputs;
  for (size_t i = 0; i < steps.size(); ++i) {
    const HostStep& step = *steps[i];
    std::string start = ShellQuote(StartMarker(nonce, i));
    std::string end = ShellQuote(EndMarker(nonce, i) + "%d\n") + " $s";
    script += "u=" + ShellQuote(step.script) + "\n" +
              "printf %s " + start + "; printf %s " + start + " >&2\n" +
              "head -c " + std::to_string(step.input.size()) +
              " | { (eval \"$u\"); s=$?; cat >/dev/null; exit $s; }\n" +
              "s=$?; printf " + end + "; printf " + end + " >&2\n";
    inputs += step.input;
  }
  RoundScript round;
  round.command = "sh -c 'eval \"$(head -c " + std::to_string(script.size()) + ")\"'";
  round.input = script + inputs;
  return round;
}

std::vector<StepOutcome> ParseRoundOutput(std::string_view out, std::string_view err,
                                          const std::string& nonce, size_t count) {
  std::vector<StepOutcome> outcomes(count);
  size_t out_at = 0, err_at = 0;
  for (size_t i = 0; i < count; ++i) {
    StepOutcome& o = outcomes[i];
    int ignored = -1;
    o.started = Section(out, nonce, i, &out_at, &o.out, &o.exit_status);
    if (!o.started) break;  // the steps from here on never ran
    Section(err, nonce, i, &err_at, &o.err, &ignored);
    o.finished = o.exit_status >= 0;
  }
  return outcomes;
}

RoundWatch::RoundWatch(std::string nonce, size_t count) : nonce_(std::move(nonce)), count_(count) {}

std::vector<std::pair<size_t, int>> RoundWatch::Finished(std::string_view out) {
  std::vector<std::pair<size_t, int>> finished;
  while (next_ < count_) {
    std::string end = EndMarker(nonce_, next_);
    size_t stop = out.find(end, at_);
    if (stop == std::string_view::npos) {
      // Not yet: the next look starts where a marker could still begin.
      at_ = std::max(at_, out.size() < end.size() ? 0 : out.size() - end.size() + 1);
      break;
    }
    size_t nl;
    int status = StatusAt(out, stop + end.size(), &nl);
    if (nl == std::string_view::npos) {
      at_ = stop;  // the status line is still coming
      break;
    }
    finished.emplace_back(next_++, status);
    at_ = nl + 1;
  }
  return finished;
}

}  // namespace mfgctl

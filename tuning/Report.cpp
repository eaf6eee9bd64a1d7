//===- Report.cpp - What the tuning database holds, as a table and a plot --===//
#include "tuning/Report.h"

#include "llvm/Support/Format.h"

#include <algorithm>

using namespace qforge::tuning;

namespace {

std::string kernelName(const TuningKey &k) {
  return k.op + " " + k.scheme + " " + k.shape + " act " + k.activation;
}

std::string escape(llvm::StringRef text) {
  std::string out;
  for (char c : text)
    out += c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '&' ? "&amp;" : c == '"' ? "&quot;" : std::string(1, c);
  return out;
}

} // namespace

void qforge::tuning::printRecordTable(llvm::raw_ostream &os, llvm::ArrayRef<TuningRecord> records) {
  os << "| kernel | threads | cpu | default ms | tuned ms | speedup | trials | schedule | space | compiler |\n"
        "|---|---|---|---|---|---|---|---|---|---|\n";
  for (const TuningRecord &r : records) {
    std::string cpu = r.key.cpu.substr(0, r.key.cpu.find('+'));
    os << "| " << kernelName(r.key) << " | " << r.key.threads << " | " << cpu << " | ";
    if (r.defaultSeconds)
      os << llvm::format("%.4f", *r.defaultSeconds * 1e3);
    else
      os << "-";
    os << " | " << llvm::format("%.4f", r.seconds * 1e3) << " | ";
    if (r.defaultSeconds)
      os << llvm::format("%.2fx", *r.defaultSeconds / r.seconds);
    else
      os << "-";
    os << " | " << r.trials << " | `" << r.schedule << "` | " << r.key.spaceVersion << " | " << r.key.compiler
       << " |\n";
  }
}

void qforge::tuning::writeTrialsSvg(llvm::raw_ostream &os, llvm::ArrayRef<TuningRecord> records,
                                    llvm::ArrayRef<std::vector<Trial>> trials) {
  const double width = 640, panel = 220, left = 70, right = 20, top = 40, bottom = 40;
  os << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\""
     << panel * std::max<size_t>(records.size(), 1) << "\" font-family=\"sans-serif\" font-size=\"11\">\n";
  for (size_t p = 0; p < records.size(); ++p) {
    const std::vector<Trial> &ts = trials[p];
    double y0 = panel * double(p);
    os << "<g transform=\"translate(0," << y0 << ")\">\n";
    os << "<text x=\"" << left << "\" y=\"18\" font-weight=\"bold\">" << escape(kernelName(records[p].key))
       << ", " << records[p].key.threads << " thread(s)</text>\n";
    if (ts.empty()) {
      os << "<text x=\"" << left << "\" y=\"60\">no trials recorded</text>\n</g>\n";
      continue;
    }
    double lo = ts.front().seconds, hi = lo;
    for (const Trial &t : ts) {
      lo = std::min(lo, t.seconds);
      hi = std::max(hi, t.seconds);
    }
    if (hi <= lo)
      hi = lo * 1.01 + 1e-12;
    double plotW = width - left - right, plotH = panel - top - bottom;
    auto x = [&](double i) { return left + plotW * (ts.size() > 1 ? i / double(ts.size() - 1) : 0.5); };
    auto y = [&](double s) { return top + plotH * (1 - (s - lo) / (hi - lo)); };
    // Axes, with the extreme times and the trial count as labels.
    os << "<line x1=\"" << left << "\" y1=\"" << top + plotH << "\" x2=\"" << left + plotW << "\" y2=\""
       << top + plotH << "\" stroke=\"black\"/>\n";
    os << "<line x1=\"" << left << "\" y1=\"" << top << "\" x2=\"" << left << "\" y2=\"" << top + plotH
       << "\" stroke=\"black\"/>\n";
    os << llvm::format("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.4f ms</text>\n", left - 4, y(hi) + 4,
                       hi * 1e3);
    os << llvm::format("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.4f ms</text>\n", left - 4, y(lo) + 4,
                       lo * 1e3);
    os << llvm::format("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">trial (0 = default; %zu in all)</text>\n",
                       left + plotW / 2, top + plotH + 28, ts.size());
    // The default's time, dashed.
    os << llvm::format("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"gray\" "
                       "stroke-dasharray=\"4 3\"/>\n",
                       left, y(ts.front().seconds), left + plotW, y(ts.front().seconds));
    // Best so far, as a step line.
    os << "<polyline fill=\"none\" stroke=\"#d62728\" stroke-width=\"2\" points=\"";
    double best = ts.front().seconds;
    for (size_t i = 0; i < ts.size(); ++i) {
      if (i)
        os << llvm::format("%.1f,%.1f ", x(double(i)), y(best));
      best = std::min(best, ts[i].seconds);
      os << llvm::format("%.1f,%.1f ", x(double(i)), y(best));
    }
    os << "\"/>\n";
    for (size_t i = 0; i < ts.size(); ++i)
      os << llvm::format("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"#1f77b4\"><title>", x(double(i)),
                         y(ts[i].seconds))
         << escape(ts[i].schedule) << llvm::format(": %.4f ms</title></circle>\n", ts[i].seconds * 1e3);
    os << "</g>\n";
  }
  os << "</svg>\n";
}

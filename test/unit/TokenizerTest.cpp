//===- TokenizerTest.cpp - runtime/Tokenizer on hand-built vocabularies ----===//
#include "runtime/Tokenizer.h"

#include "gtest/gtest.h"

#include <cstdio>
#include <fstream>
#include <sstream>

using namespace qforge::runtime;

namespace {

using Words = std::vector<std::string>;
using Ids = std::vector<int32_t>;

/// The text a GGUF vocabulary spells `bytes` with: GPT-2's byte-level
/// alphabet, printable Latin-1 as itself and the rest from U+0100 on.
std::string mapped(std::string_view bytes) {
  std::string out;
  for (char c : bytes) {
    uint32_t b = uint8_t(c), cp = b, next = 256;
    bool printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
    if (!printable) {
      for (uint32_t i = 0; i < b; ++i)
        if (!((i >= 0x21 && i <= 0x7E) || (i >= 0xA1 && i <= 0xAC) || i >= 0xAE))
          ++next;
      cp = next;
    }
    if (cp < 0x80) {
      out += char(cp);
    } else {
      out += char(0xC0 | (cp >> 6));
      out += char(0x80 | (cp & 0x3F));
    }
  }
  return out;
}

/// A vocabulary whose first 256 tokens are the single bytes, in byte order,
/// so id == byte for them; merges and special tokens go after.
struct VocabBuilder {
  TokenizerVocab vocab;

  explicit VocabBuilder(std::string pre = "smollm") {
    vocab.pre = std::move(pre);
    for (int b = 0; b < 256; ++b)
      add(mapped(std::string(1, char(b))));
  }
  int32_t add(std::string text, TokenType type = TokenType::Normal) {
    vocab.tokens.push_back(std::move(text));
    vocab.types.push_back(int32_t(type));
    return int32_t(vocab.tokens.size() - 1);
  }
  /// Merges the tokens of raw `left` and `right`; returns the merged token.
  int32_t merge(std::string_view left, std::string_view right) {
    vocab.merges.push_back(mapped(left) + " " + mapped(right));
    return add(mapped(std::string(left) + std::string(right)));
  }
  std::unique_ptr<Tokenizer> build() {
    std::string error;
    std::unique_ptr<Tokenizer> tokenizer = Tokenizer::create(vocab, error);
    EXPECT_TRUE(tokenizer) << error;
    return tokenizer;
  }
};

std::unique_ptr<Tokenizer> plain(std::string pre = "smollm") {
  return VocabBuilder(std::move(pre)).build();
}

Ids bytesOf(std::string_view text) { return Ids(text.begin(), text.end()); }

std::string readFile(const std::string &path) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

void writeFile(const std::string &path, const std::string &text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

std::string tempPath(const std::string &name) { return ::testing::TempDir() + "qforge-" + name; }

TEST(Tokenizer, SmolLMSplitsEveryDigitOff) {
  auto tok = plain("smollm");
  EXPECT_EQ(tok->preTokenize("12345"), (Words{"1", "2", "3", "4", "5"}));
  EXPECT_EQ(tok->preTokenize(" 3.14"), (Words{" ", "3", ".", "1", "4"}));
  EXPECT_EQ(tok->preTokenize("a1b"), (Words{"a", "1", "b"}));
  EXPECT_EQ(tok->preTokenize("x²½"), (Words{"x", "²", "½"}));
}

TEST(Tokenizer, Gpt2KeepsNumberRuns) {
  auto tok = plain("gpt2");
  EXPECT_EQ(tok->preTokenize("12345"), (Words{"12345"}));
  EXPECT_EQ(tok->preTokenize(" 3.14"), (Words{" 3", ".", "14"}));
  EXPECT_EQ(tok->preTokenize("x²½"), (Words{"x", "²½"}));
}

TEST(Tokenizer, SplitsLowercaseContractions) {
  auto tok = plain();
  EXPECT_EQ(tok->preTokenize("don't"), (Words{"don", "'t"}));
  EXPECT_EQ(
      tok->preTokenize("we're they've I'll he'd I'm it's"),
      (Words{"we", "'re", " they", "'ve", " I", "'ll", " he", "'d", " I", "'m", " it", "'s"}));
  EXPECT_EQ(tok->preTokenize("I'LL"), (Words{"I", "'", "LL"}));
  EXPECT_EQ(tok->preTokenize("'sx"), (Words{"'s", "x"}));
}

TEST(Tokenizer, OneSpaceGoesWithTheWordAfter) {
  auto tok = plain();
  EXPECT_EQ(tok->preTokenize("Hello world"), (Words{"Hello", " world"}));
  EXPECT_EQ(tok->preTokenize("  Hello"), (Words{" ", " Hello"}));
  // \s+(?!\S): a run of whitespace leaves its last character to what follows.
  EXPECT_EQ(tok->preTokenize("a   b"), (Words{"a", "  ", " b"}));
  EXPECT_EQ(tok->preTokenize("a \n x"), (Words{"a", " \n", " x"}));
  EXPECT_EQ(tok->preTokenize("a\n\nb"), (Words{"a", "\n", "\n", "b"}));
  EXPECT_EQ(tok->preTokenize("\t\tx"), (Words{"\t", "\t", "x"}));
  // At the end the whole run is one word.
  EXPECT_EQ(tok->preTokenize("a  \n"), (Words{"a", "  \n"}));
  // Non-ASCII whitespace is whitespace, but only U+0020 leads a word.
  EXPECT_EQ(tok->preTokenize("a\u00a0b"), (Words{"a", "\u00a0", "b"}));
}

TEST(Tokenizer, PunctuationRunsStayTogether) {
  auto tok = plain();
  EXPECT_EQ(tok->preTokenize("hi!!! ?"), (Words{"hi", "!!!", " ?"}));
  EXPECT_EQ(tok->preTokenize("a+=b;"), (Words{"a", "+=", "b", ";"}));
  EXPECT_EQ(tok->preTokenize("😀😃 x"), (Words{"😀😃", " x"}));
}

TEST(Tokenizer, NonAsciiLettersFormWords) {
  auto tok = plain();
  EXPECT_EQ(tok->preTokenize("café naïve"), (Words{"café", " naïve"}));
  EXPECT_EQ(tok->preTokenize("русский язык"), (Words{"русский", " язык"}));
  EXPECT_EQ(tok->preTokenize("日本語テキスト"), (Words{"日本語テキスト"}));
  EXPECT_EQ(tok->preTokenize("Ωmega"), (Words{"Ωmega"}));
}

TEST(Tokenizer, InvalidUtf8BecomesReplacementCharacter) {
  auto tok = plain();
  EXPECT_EQ(tok->preTokenize("a\xffz"), (Words{"a", "\xEF\xBF\xBD", "z"}));
  EXPECT_EQ(tok->encode("a\xffz", false), (Ids{'a', 0xEF, 0xBF, 0xBD, 'z'}));
  // A truncated sequence: each byte on its own.
  EXPECT_EQ(tok->preTokenize("\xe4\xb8"), (Words{"\xEF\xBF\xBD\xEF\xBF\xBD"}));
  // Above U+10FFFF (llama.cpp throws): each byte on its own.
  EXPECT_EQ(tok->preTokenize("\xf4\x90\x80\x80"),
            (Words{"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"}));
  // Like llama.cpp, an overlong form is read as the codepoint it spells.
  EXPECT_EQ(tok->preTokenize("\xc0\x80"), (Words{std::string(1, '\0')}));
}

TEST(Tokenizer, MergesLowestRankFirst) {
  VocabBuilder bcFirst;
  int32_t bc = bcFirst.merge("b", "c");
  int32_t ab = bcFirst.merge("a", "b");
  EXPECT_EQ(bcFirst.build()->encode("abc", false), (Ids{'a', bc}));
  EXPECT_EQ(bcFirst.build()->encode("ab", false), (Ids{ab}));

  VocabBuilder abFirst;
  ab = abFirst.merge("a", "b");
  bc = abFirst.merge("b", "c");
  EXPECT_EQ(abFirst.build()->encode("abc", false), (Ids{ab, 'c'}));
}

TEST(Tokenizer, MergesLeftmostOnTiesAndBuildsOnMerges) {
  VocabBuilder builder;
  int32_t aa = builder.merge("a", "a");
  int32_t spaceT = builder.merge(" ", "t");
  int32_t he = builder.merge("h", "e");
  int32_t the = builder.merge(" t", "he");
  auto tok = builder.build();
  EXPECT_EQ(tok->encode("aaa", false), (Ids{aa, 'a'}));
  EXPECT_EQ(tok->encode("aaaa", false), (Ids{aa, aa}));
  EXPECT_EQ(tok->encode(" the", false), (Ids{the}));
  EXPECT_EQ(tok->encode(" th", false), (Ids{spaceT, 'h'}));
  EXPECT_EQ(tok->encode("the", false), (Ids{'t', he}));
}

TEST(Tokenizer, MergesStopAtWordBoundaries) {
  VocabBuilder builder;
  builder.merge("a", " ");
  builder.merge("1", "2");
  auto tok = builder.build();
  EXPECT_EQ(tok->encode("a b", false), (Ids{'a', ' ', 'b'}));
  EXPECT_EQ(tok->encode("12", false), (Ids{'1', '2'}));
}

TEST(Tokenizer, ParsesControlTokensOnlyWhenAsked) {
  VocabBuilder builder;
  int32_t start = builder.add("<|im_start|>", TokenType::Control);
  int32_t end = builder.add("<|im_end|>", TokenType::Control);
  auto tok = builder.build();
  std::string text = "<|im_start|>hi<|im_end|>\n";
  EXPECT_EQ(tok->encode(text, true), (Ids{start, 'h', 'i', end, '\n'}));
  EXPECT_EQ(tok->encode(text, false), bytesOf(text));
  EXPECT_EQ(tok->encode("<|im_start|", true), bytesOf("<|im_start|"));
}

TEST(Tokenizer, AlwaysParsesUserDefinedTokens) {
  VocabBuilder builder;
  int32_t user = builder.add("<u>", TokenType::UserDefined);
  auto tok = builder.build();
  EXPECT_EQ(tok->encode("a<u>b<u>", false), (Ids{'a', user, 'b', user}));
}

TEST(Tokenizer, MatchesLongestSpecialTokenFirst) {
  VocabBuilder builder;
  int32_t shortToken = builder.add("<a>", TokenType::Control);
  int32_t longToken = builder.add("<a><b>", TokenType::Control);
  auto tok = builder.build();
  EXPECT_EQ(tok->encode("<a><b><a>", true), (Ids{longToken, shortToken}));
}

TEST(Tokenizer, AddsBosWhenTheVocabSaysSo) {
  VocabBuilder builder;
  builder.vocab.bos = builder.add("<s>", TokenType::Control);
  builder.vocab.addBos = true;
  auto tok = builder.build();
  EXPECT_EQ(tok->encode("x", false), (Ids{tok->bos(), 'x'}));
}

TEST(Tokenizer, DropsBytesWithoutATokenLikeLlamaCpp) {
  VocabBuilder builder;
  builder.vocab.tokens[0x04] = "<unused>";
  builder.vocab.types[0x04] = int32_t(TokenType::Unused);
  auto tok = builder.build();
  EXPECT_EQ(tok->encode("a\x04z", false), (Ids{'a', 'z'}));
}

TEST(Tokenizer, DecodeGivesTheBytesBack) {
  VocabBuilder builder;
  builder.merge(" ", "w");
  builder.merge("\xC3", "\xB6"); // ö
  builder.merge("ö", "r");
  int32_t end = builder.add("<|im_end|>", TokenType::Control);
  int32_t unused = builder.add("<unused0>", TokenType::Unused);
  auto tok = builder.build();
  ASSERT_TRUE(tok);
  std::string text = "Hello wörld 日本 😀\n\t<|im_end|>  ";
  std::string back;
  for (int32_t id : tok->encode(text, true))
    back += tok->decode(id);
  EXPECT_EQ(back, text);
  EXPECT_EQ(tok->decode(end), "<|im_end|>");
  EXPECT_EQ(tok->decode(' '), " ");
  EXPECT_EQ(tok->decode(unused), "");
  EXPECT_EQ(tok->decode(-1), "");
  EXPECT_EQ(tok->decode(int32_t(tok->size())), "");
}

TEST(Tokenizer, EndOfGenerationFollowsLlamaCpp) {
  VocabBuilder builder;
  int32_t text = builder.add("<|endoftext|>", TokenType::Control);
  int32_t start = builder.add("<|im_start|>", TokenType::Control);
  // Typed normal, but llama.cpp makes it a control token by its text.
  int32_t end = builder.add("<|im_end|>", TokenType::Normal);
  int32_t eos = builder.add("</s>", TokenType::Control);
  builder.vocab.eos = eos;
  auto tok = builder.build();
  EXPECT_TRUE(tok->isEndOfGeneration(text));
  EXPECT_TRUE(tok->isEndOfGeneration(end));
  EXPECT_TRUE(tok->isEndOfGeneration(eos));
  EXPECT_FALSE(tok->isEndOfGeneration(start));
  EXPECT_FALSE(tok->isEndOfGeneration('a'));
  EXPECT_FALSE(tok->isEndOfGeneration(-1));
  EXPECT_EQ(tok->encode("<|im_end|>", true), (Ids{end}));
}

TEST(Tokenizer, CreateNamesTheProblem) {
  std::string error;
  VocabBuilder unknownPre("llama3");
  EXPECT_FALSE(Tokenizer::create(unknownPre.vocab, error));
  EXPECT_NE(error.find("'llama3'"), std::string::npos) << error;

  VocabBuilder badMerge;
  badMerge.vocab.merges.push_back("zz q");
  EXPECT_FALSE(Tokenizer::create(badMerge.vocab, error));
  EXPECT_NE(error.find("merge 0 'zz q'"), std::string::npos) << error;

  VocabBuilder noResult;
  noResult.vocab.merges.push_back("a b");
  EXPECT_FALSE(Tokenizer::create(noResult.vocab, error));
  EXPECT_NE(error.find("no token"), std::string::npos) << error;

  VocabBuilder badBos;
  badBos.vocab.bos = 256;
  EXPECT_FALSE(Tokenizer::create(badBos.vocab, error));
  EXPECT_NE(error.find("bos token id 256"), std::string::npos) << error;

  VocabBuilder repeated;
  repeated.add("a");
  EXPECT_FALSE(Tokenizer::create(repeated.vocab, error));
  EXPECT_EQ(error, "token 256 repeats the text of token 97");

  VocabBuilder badTypes;
  badTypes.vocab.types.pop_back();
  EXPECT_FALSE(Tokenizer::create(badTypes.vocab, error));
  EXPECT_NE(error.find("255 token types"), std::string::npos) << error;
}

/// A vocabulary with texts that need escaping in the file.
VocabBuilder awkwardVocab() {
  VocabBuilder builder;
  builder.merge(" ", "t");
  builder.merge("\\", "\n");
  builder.add("<a b>\\\n\r\x7f", TokenType::UserDefined);
  builder.add("<|im_end|>", TokenType::Control);
  builder.vocab.bos = 1;
  builder.vocab.eos = 2;
  builder.vocab.unk = 0;
  return builder;
}

TEST(Tokenizer, SaveLoadRoundTrip) {
  VocabBuilder builder = awkwardVocab();
  auto tok = builder.build();
  std::string path = tempPath("tokenizer-roundtrip.txt"), error;
  ASSERT_TRUE(tok->save(path, error)) << error;
  std::string text = readFile(path);
  EXPECT_EQ(text.substr(0, text.find('\n')), "qforge-tokenizer 1");
  EXPECT_NE(text.find("\n4 <a\\x20b>\\\\\\x0A\\x0D\\x7F\n"), std::string::npos);

  auto loaded = Tokenizer::load(path, error);
  ASSERT_TRUE(loaded) << error;
  EXPECT_EQ(loaded->vocab().tokens, builder.vocab.tokens);
  EXPECT_EQ(loaded->vocab().types, builder.vocab.types);
  EXPECT_EQ(loaded->vocab().merges, builder.vocab.merges);
  EXPECT_EQ(loaded->vocab().pre, "smollm");
  EXPECT_EQ(loaded->bos(), 1);
  EXPECT_EQ(loaded->eos(), 2);
  std::string sample = "x <a b>\\\n\r\x7f the \\\n<|im_end|>";
  EXPECT_EQ(loaded->encode(sample, true), tok->encode(sample, true));
  EXPECT_EQ(loaded->encode(sample, false), tok->encode(sample, false));
  std::remove(path.c_str());
}

TEST(Tokenizer, LoadReportsATruncatedFile) {
  auto tok = awkwardVocab().build();
  std::string path = tempPath("tokenizer-truncated.txt"), error;
  ASSERT_TRUE(tok->save(path, error)) << error;
  std::string text = readFile(path);

  size_t lineEnd = text.find('\n', text.size() / 2) + 1;
  writeFile(path, text.substr(0, lineEnd));
  EXPECT_FALSE(Tokenizer::load(path, error));
  EXPECT_EQ(error.rfind(path + ":", 0), 0u) << error;
  EXPECT_NE(error.find("file ends after"), std::string::npos) << error;

  writeFile(path, text.substr(0, lineEnd - 3)); // within a line
  EXPECT_FALSE(Tokenizer::load(path, error));
  EXPECT_EQ(error.rfind(path + ":", 0), 0u) << error;

  writeFile(path, text.substr(0, text.size() - 4)); // without "end\n"
  EXPECT_FALSE(Tokenizer::load(path, error));
  EXPECT_NE(error.find("file ends before 'end'"), std::string::npos) << error;
  std::remove(path.c_str());
}

TEST(Tokenizer, LoadReportsACorruptLine) {
  auto tok = awkwardVocab().build();
  std::string path = tempPath("tokenizer-corrupt.txt"), error;
  ASSERT_TRUE(tok->save(path, error)) << error;
  std::string text = readFile(path);

  // Token 5 is on line 13: seven header lines come first.
  std::string corrupt = text;
  size_t line = 0;
  for (int i = 0; i < 12; ++i)
    line = corrupt.find('\n', line) + 1;
  corrupt.replace(line, corrupt.find('\n', line) - line, "1 bad\\q");
  writeFile(path, corrupt);
  EXPECT_FALSE(Tokenizer::load(path, error));
  EXPECT_EQ(error, path + ":13: bad escape or raw control byte in the text of token 5");

  writeFile(path, "qforge-tokenizer 2\n" + text.substr(text.find('\n') + 1));
  EXPECT_FALSE(Tokenizer::load(path, error));
  EXPECT_NE(error.find(":1: tokenizer file version '2'"), std::string::npos) << error;

  std::string badCount = text;
  badCount.replace(badCount.find("tokens "), 7, "tokens x");
  writeFile(path, badCount);
  EXPECT_FALSE(Tokenizer::load(path, error));
  EXPECT_NE(error.find(":7: expected 'tokens <number>'"), std::string::npos) << error;

  std::remove(path.c_str());
  EXPECT_FALSE(Tokenizer::load(path, error));
  EXPECT_EQ(error, "cannot open " + path);
}

} // namespace

#include "providers/gcp/service_account.h"

#include <algorithm>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "engine/model/base64.h"
#include "engine/model/value.h"
#include "providers/transport/http_json.h"
#include "providers/transport/url_encode.h"

namespace mfgctl {
namespace {

using std::chrono::seconds;

bool Sign(const std::string& pem, std::string_view data, std::string* signature,
          std::string* error) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  // An encrypted key is refused, never asked for on the terminal.
  pem_password_cb* no_passphrase = [](char*, int, int, void*) { return 0; };
  EVP_PKEY* pkey = bio ? PEM_read_bio_PrivateKey(bio, nullptr, no_passphrase, nullptr) : nullptr;
  BIO_free(bio);
  if (!pkey || EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA) {
    EVP_PKEY_free(pkey);
    *error = "its private_key is not an RSA private key in PEM";
    return false;
  }
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  size_t len = 0;
  bool ok = ctx && EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, pkey) == 1 &&
            EVP_DigestSign(ctx, nullptr, &len,
                           reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
  if (ok) {
    signature->resize(len);
    ok = EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(signature->data()), &len,
                        reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
    signature->resize(len);
  }
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(pkey);
  if (!ok) *error = "signing with its private_key failed";
  return ok;
}

}  // namespace

bool ParseServiceAccountKey(std::string_view json, const std::string& file,
                            ServiceAccountKey* key, std::string* error) {
  Value v = Value::parse(json, nullptr, false);
  if (!v.is_object()) {
    *error = file + " is not JSON: a service-account key file was expected";
    return false;
  }
  if (StringAttr(v, "type") != "service_account") {
    *error = file + " is not a service-account key (its type is \"" + StringAttr(v, "type") +
             "\", \"service_account\" was expected)";
    return false;
  }
  key->client_email = StringAttr(v, "client_email");
  key->private_key = StringAttr(v, "private_key");
  key->private_key_id = StringAttr(v, "private_key_id");
  key->token_uri = StringAttr(v, "token_uri", "https://oauth2.googleapis.com/token");
  for (const auto& [field, value] :
       {std::pair{"client_email", &key->client_email}, {"private_key", &key->private_key}}) {
    if (value->empty()) {
      *error = file + " has no " + field;
      return false;
    }
  }
  if (!SafeForCredentials(key->token_uri)) {
    *error = file + ": token_uri " + key->token_uri +
             " is not HTTPS; the signed assertion is sent only over HTTPS";
    return false;
  }
  return true;
}

bool SignJwtAssertion(const ServiceAccountKey& key, std::string_view scope,
                      std::chrono::system_clock::time_point now, std::string* jwt,
                      std::string* error) {
  Value header = {{"alg", "RS256"}, {"typ", "JWT"}};
  if (!key.private_key_id.empty()) header["kid"] = key.private_key_id;
  const auto iat = std::chrono::duration_cast<seconds>(now.time_since_epoch()).count();
  Value claims = {{"iss", key.client_email}, {"scope", scope},  {"aud", key.token_uri},
                  {"iat", iat},              {"exp", iat + 3600}};
  std::string signing_input = Base64Url(header.dump()) + "." + Base64Url(claims.dump());
  std::string signature;
  if (!Sign(key.private_key, signing_input, &signature, error)) {
    *error = "the service-account key of " + key.client_email + ": " + *error;
    return false;
  }
  *jwt = signing_input + "." + Base64Url(signature);
  return true;
}

ServiceAccountTokens::ServiceAccountTokens(ServiceAccountKey key,
                                           std::shared_ptr<HttpClient> http, Clock now)
    : key_(std::move(key)), http_(std::move(http)), now_(std::move(now)) {}

bool ServiceAccountTokens::Token(std::string* token, std::string* error) {
  std::lock_guard lock(mu_);
  const auto now = now_();
  if (!token_.empty() && now + seconds(60) < expires_) {
    *token = token_;
    return true;
  }
  std::string jwt;
  if (!SignJwtAssertion(key_, kScope, now, &jwt, error)) return false;
  HttpRequest r;
  r.method = "POST";
  r.url = key_.token_uri;
  r.headers.Set("Content-Type", "application/x-www-form-urlencoded");
  r.headers.Set("Accept", "application/json");
  r.body = "grant_type=" + UrlEncode("urn:ietf:params:oauth:grant-type:jwt-bearer") +
           "&assertion=" + jwt;
  r.idempotent = true;  // a second exchange of the same assertion does no harm
  Value answer;
  if (!SendJson(*http_, r, &answer, error)) {
    *error = "signing in as " + key_.client_email + ": " + *error;
    return false;
  }
  std::string access = StringAttr(answer, "access_token");
  if (access.empty()) {
    *error = "signing in as " + key_.client_email + ": " + key_.token_uri +
             " answered without an access_token";
    return false;
  }
  // An hour unless the endpoint says otherwise, and never more than the
  // assertion asked for nor less than nothing (an odd answer).
  long long lifetime = answer.contains("expires_in") && answer["expires_in"].is_number()
                           ? answer["expires_in"].get<long long>()
                           : 3600;
  lifetime = std::clamp(lifetime, 0LL, 3600LL);
  token_ = std::move(access);
  expires_ = now + seconds(lifetime);
  *token = token_;
  return true;
}

}  // namespace mfgctl

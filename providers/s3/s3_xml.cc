#include "providers/s3/s3_xml.h"

#include <cstdio>

#include <pugixml.hpp>

#include <sstream>

namespace mfgctl {
namespace {

constexpr char kNamespace[] = "http://s3.amazonaws.com/doc/2006-03-01/";

bool Load(std::string_view xml, const char* root, pugi::xml_document* doc, pugi::xml_node* out) {
  if (!doc->load_buffer(xml.data(), xml.size())) return false;
  *out = doc->child(root);
  return static_cast<bool>(*out);
}

std::string Text(pugi::xml_document& doc) {
  std::ostringstream out;
  doc.save(out, "", pugi::format_raw);
  return out.str();
}

pugi::xml_node Root(pugi::xml_document& doc, const char* name) {
  pugi::xml_node decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  pugi::xml_node root = doc.append_child(name);
  root.append_attribute("xmlns") = kNamespace;
  return root;
}

void Add(pugi::xml_node parent, const char* name, const std::string& text) {
  parent.append_child(name).text().set(text.c_str());
}

}  // namespace

std::string TaggingXml(const Value& tags) {
  pugi::xml_document doc;
  pugi::xml_node set = Root(doc, "Tagging").append_child("TagSet");
  for (const auto& [key, value] : tags.items()) {
    pugi::xml_node tag = set.append_child("Tag");
    Add(tag, "Key", key);
    Add(tag, "Value", value.is_string() ? value.get<std::string>() : value.dump());
  }
  return Text(doc);
}

bool ParseTagging(std::string_view xml, Value* tags) {
  pugi::xml_document doc;
  pugi::xml_node root;
  if (!Load(xml, "Tagging", &doc, &root)) return false;
  *tags = Value::object();
  for (pugi::xml_node tag : root.child("TagSet").children("Tag")) {
    (*tags)[tag.child_value("Key")] = tag.child_value("Value");
  }
  return true;
}

std::string VersioningXml(bool enabled) {
  pugi::xml_document doc;
  Add(Root(doc, "VersioningConfiguration"), "Status", enabled ? "Enabled" : "Suspended");
  return Text(doc);
}

bool ParseVersioningEnabled(std::string_view xml) {
  pugi::xml_document doc;
  pugi::xml_node root;
  return Load(xml, "VersioningConfiguration", &doc, &root) &&
         std::string_view(root.child_value("Status")) == "Enabled";
}

std::string LifecycleXml(const Value& rules) {
  pugi::xml_document doc;
  pugi::xml_node root = Root(doc, "LifecycleConfiguration");
  int n = 0;
  for (const auto& r : rules) {
    pugi::xml_node rule = root.append_child("Rule");
    // Zero-padded, so servers that answer rules sorted by ID (Ceph) keep
    // the blueprint's order.
    char id[16];
    std::snprintf(id, sizeof id, "rule-%03d", ++n);
    Add(rule, "ID", id);
    Add(rule.append_child("Filter"), "Prefix", StringAttr(r, "prefix"));
    Add(rule, "Status", "Enabled");
    if (r.contains("expire_days")) {
      Add(rule.append_child("Expiration"), "Days", r["expire_days"].dump());
    }
    if (r.contains("noncurrent_expire_days")) {
      Add(rule.append_child("NoncurrentVersionExpiration"), "NoncurrentDays",
          r["noncurrent_expire_days"].dump());
    }
    if (r.contains("abort_incomplete_upload_days")) {
      Add(rule.append_child("AbortIncompleteMultipartUpload"), "DaysAfterInitiation",
          r["abort_incomplete_upload_days"].dump());
    }
  }
  return Text(doc);
}

bool ParseLifecycle(std::string_view xml, Value* rules) {
  pugi::xml_document doc;
  pugi::xml_node root;
  if (!Load(xml, "LifecycleConfiguration", &doc, &root)) return false;
  *rules = Value::array();
  for (pugi::xml_node rule : root.children("Rule")) {
    if (std::string_view(rule.child_value("Status")) != "Enabled") continue;
    Value r = Value::object();
    // The prefix is in Filter (current API) or directly in the rule (the
    // older shape some servers still answer with).
    pugi::xml_node filter = rule.child("Filter");
    std::string prefix = filter ? filter.child_value("Prefix") : "";
    if (prefix.empty() && filter.child("And")) prefix = filter.child("And").child_value("Prefix");
    if (prefix.empty()) prefix = rule.child_value("Prefix");
    if (!prefix.empty()) r["prefix"] = prefix;
    if (auto e = rule.child("Expiration").child("Days")) r["expire_days"] = e.text().as_llong();
    if (auto e = rule.child("NoncurrentVersionExpiration").child("NoncurrentDays")) {
      r["noncurrent_expire_days"] = e.text().as_llong();
    }
    if (auto e = rule.child("AbortIncompleteMultipartUpload").child("DaysAfterInitiation")) {
      r["abort_incomplete_upload_days"] = e.text().as_llong();
    }
    rules->push_back(std::move(r));
  }
  return true;
}

bool ParseBucketNames(std::string_view xml, std::vector<std::string>* names,
                      std::string* next_token) {
  pugi::xml_document doc;
  pugi::xml_node root;
  if (!Load(xml, "ListAllMyBucketsResult", &doc, &root)) return false;
  for (pugi::xml_node b : root.child("Buckets").children("Bucket")) {
    names->push_back(b.child_value("Name"));
  }
  *next_token = root.child_value("ContinuationToken");
  return true;
}

bool ParseListing(std::string_view xml, S3Listing* out) {
  pugi::xml_document doc;
  if (!doc.load_buffer(xml.data(), xml.size())) return false;
  pugi::xml_node root = doc.child("ListVersionsResult");
  if (!root) root = doc.child("ListBucketResult");
  if (!root) return false;
  for (pugi::xml_node n : root.children()) {
    std::string_view name = n.name();
    if (name == "Version" || name == "DeleteMarker" || name == "Contents") {
      out->objects.push_back({n.child_value("Key"), n.child_value("VersionId")});
    }
  }
  out->truncated = std::string_view(root.child_value("IsTruncated")) == "true";
  out->next_key = root.child_value("NextKeyMarker");
  out->next_version = root.child_value("NextVersionIdMarker");
  out->next_token = root.child_value("NextContinuationToken");
  return true;
}

std::string ErrorCode(std::string_view xml) {
  pugi::xml_document doc;
  pugi::xml_node root;
  return Load(xml, "Error", &doc, &root) ? root.child_value("Code") : "";
}

std::string ErrorSummary(std::string_view xml) {
  pugi::xml_document doc;
  pugi::xml_node root;
  if (!Load(xml, "Error", &doc, &root)) return "";
  std::string code = root.child_value("Code"), message = root.child_value("Message");
  return message.empty() ? code : code + ": " + message;
}

}  // namespace mfgctl

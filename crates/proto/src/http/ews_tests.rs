//! SOAP bodies shaped as Microsoft documents them; each test names its source.

use super::*;

/// "GetItem operation (email message)" (learn.microsoft.com web-service-reference): the
/// documented request, as written there.
const GET_ITEM_REQUEST: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:xsd="http://www.w3.org/2001/XMLSchema"
  xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"
  xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types">
  <soap:Body>
    <GetItem
      xmlns="http://schemas.microsoft.com/exchange/services/2006/messages"
      xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types">
      <ItemShape>
        <t:BaseShape>Default</t:BaseShape>
        <t:IncludeMimeContent>true</t:IncludeMimeContent>
      </ItemShape>
      <ItemIds>
        <t:ItemId Id="AAAlAF" ChangeKey="CQAAAB" />
      </ItemIds>
    </GetItem>
  </soap:Body>
</soap:Envelope>"#;

/// The response of the same page (soap:Header ServerVersionInfo, GetItemResponse /
/// ResponseMessages / GetItemResponseMessage ResponseClass="Success" / ResponseCode / Items /
/// t:Message with ItemId and Subject), its item given ExtendedProperty elements as
/// [MS-OXWSXPROP] 2.1.5 t:ExtendedPropertyType defines them (ExtendedFieldURI, then Value or
/// Values) with the attributes of "ExtendedFieldURI" (PropertyTag, PropertySetId,
/// PropertyName, PropertyId, PropertyType): one binary with an empty Value, one BinaryArray
/// without values, one binary with a value, one string.
const GET_ITEM_RESPONSE: &str = r#"<?xml version="1.0" encoding="utf-8" ?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:xsd="http://www.w3.org/2001/XMLSchema">
  <soap:Header>
    <t:ServerVersionInfo MajorVersion="8" MinorVersion="0" MajorBuildNumber="685" MinorBuildNumber="8"
      xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types" />
  </soap:Header>
  <soap:Body>
    <GetItemResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"
      xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"
      xmlns="http://schemas.microsoft.com/exchange/services/2006/messages">
      <m:ResponseMessages>
        <m:GetItemResponseMessage ResponseClass="Success">
          <m:ResponseCode>NoError</m:ResponseCode>
          <m:Items>
            <t:Message>
              <t:ItemId Id="AAAlAFVzZXIx" ChangeKey="CQAAABYAAAA" />
              <t:Subject>Quarterly report</t:Subject>
              <t:ExtendedProperty>
                <t:ExtendedFieldURI PropertyTag="0x0FFF" PropertyType="Binary" />
                <t:Value />
              </t:ExtendedProperty>
              <t:ExtendedProperty>
                <t:ExtendedFieldURI PropertySetId="c11ff724-aa03-4555-9952-8fa248a11c3e" PropertyName="Thumbprints" PropertyType="BinaryArray" />
              </t:ExtendedProperty>
              <t:ExtendedProperty>
                <t:ExtendedFieldURI PropertyTag="0x300B" PropertyType="Binary" />
                <t:Value>AQIDBA==</t:Value>
              </t:ExtendedProperty>
              <t:ExtendedProperty>
                <t:ExtendedFieldURI PropertyTag="0x1000" PropertyType="String" />
                <t:Value></t:Value>
              </t:ExtendedProperty>
            </t:Message>
          </m:Items>
        </m:GetItemResponseMessage>
      </m:ResponseMessages>
    </GetItemResponse>
  </soap:Body>
</soap:Envelope>"#;

#[test]
fn the_documented_get_item_request_is_recognised() {
    let m = parse_ews(GET_ITEM_REQUEST.as_bytes()).unwrap();
    assert_eq!(m.operation, "GetItem");
    assert!(!m.is_response());
    assert!(m.empty_binary.is_empty());
}

#[test]
fn empty_binary_properties_are_named_with_their_item() {
    let m = parse_ews(GET_ITEM_RESPONSE.as_bytes()).unwrap();
    assert_eq!(m.operation, "GetItemResponse");
    assert_eq!(m.base_operation(), "GetItem");
    assert_eq!(m.response_classes, ["Success"]);
    assert!(m.response_codes.is_empty());
    assert_eq!(m.items, 1);
    assert_eq!(
        m.empty_binary,
        vec![
            EmptyBinaryProperty {
                item_id: Some("AAAlAFVzZXIx".into()),
                subject: Some("Quarterly report".into()),
                property: "PropertyTag 0x0FFF".into(),
                property_type: "Binary".into(),
            },
            EmptyBinaryProperty {
                item_id: Some("AAAlAFVzZXIx".into()),
                subject: Some("Quarterly report".into()),
                property: "PropertyName Thumbprints in set c11ff724-aa03-4555-9952-8fa248a11c3e"
                    .into(),
                property_type: "BinaryArray".into(),
            },
        ],
        "the valued binary and the empty string are not findings"
    );
}

#[test]
fn a_find_item_response_is_checked_and_a_get_folder_one_is_not() {
    let find = GET_ITEM_RESPONSE
        .replace("GetItemResponseMessage", "FindItemResponseMessage")
        .replace("GetItemResponse", "FindItemResponse");
    let m = parse_ews(find.as_bytes()).unwrap();
    assert_eq!(m.base_operation(), "FindItem");
    assert_eq!(m.empty_binary.len(), 2);
    let folder = GET_ITEM_RESPONSE
        .replace("GetItemResponseMessage", "GetFolderResponseMessage")
        .replace("GetItemResponse", "GetFolderResponse");
    let m = parse_ews(folder.as_bytes()).unwrap();
    assert_eq!(m.base_operation(), "GetFolder");
    assert!(m.empty_binary.is_empty());
}

#[test]
fn non_soap_bodies_are_errors() {
    assert_eq!(parse_ews(b"<Autodiscover/>"), Err(EwsError::NotSoap));
    assert!(matches!(parse_ews(b"<a>"), Err(EwsError::NotXml(_))));
}

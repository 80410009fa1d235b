import { CT_NS, GUID_TYPES_NS, WS_NS } from '../soap/namespaces.constants';
import { executeServiceTail } from './execute-service.wsdl';

/**
 * A minimal MetadataService WSDL for the URL OrganizationDetail advertises as `CrmMetadataServiceUrl`
 * (docs/protocol.md §4.3). CRM 4.0's MetadataService has one operation, `Execute`, in
 * 2007/WebServices with the CrmAuthenticationToken header, dispatching on the `xsi:type` of its
 * `Request` (RetrieveAttribute, RetrieveEntity, …; RHO's metadata client sends RetrieveAttributeRequest).
 * The emulator describes that operation with abstract request and response types and implements no
 * metadata request: a POST answers the NotImplemented fault.
 */
export function metadataServiceWsdl(address: string): string {
  return (
    `<?xml version="1.0" encoding="utf-8"?>
<wsdl:definitions xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/" xmlns:s="http://www.w3.org/2001/XMLSchema" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:tns="${WS_NS}" xmlns:ct="${CT_NS}" xmlns:guid="${GUID_TYPES_NS}" targetNamespace="${WS_NS}">
  <wsdl:types>
    <s:schema elementFormDefault="qualified" targetNamespace="${WS_NS}">
      <s:import namespace="${CT_NS}" />
      <s:element name="CrmAuthenticationToken" type="ct:CrmAuthenticationToken" />
      <s:element name="Execute">
        <s:complexType>
          <s:sequence>
            <s:element minOccurs="0" maxOccurs="1" name="Request" type="tns:MetadataServiceRequest" />
          </s:sequence>
        </s:complexType>
      </s:element>
      <s:complexType name="MetadataServiceRequest" abstract="true" />
      <s:element name="ExecuteResponse">
        <s:complexType>
          <s:sequence>
            <s:element minOccurs="0" maxOccurs="1" name="Response" type="tns:MetadataServiceResponse" />
          </s:sequence>
        </s:complexType>
      </s:element>
      <s:complexType name="MetadataServiceResponse" abstract="true" />
    </s:schema>
    <s:schema elementFormDefault="qualified" targetNamespace="${CT_NS}">
      <s:import namespace="${GUID_TYPES_NS}" />
      <s:complexType name="CrmAuthenticationToken">
        <s:sequence>
          <s:element minOccurs="1" maxOccurs="1" name="AuthenticationType" type="s:int" />
          <s:element minOccurs="0" maxOccurs="1" name="CrmTicket" type="s:string" />
          <s:element minOccurs="0" maxOccurs="1" name="OrganizationName" type="s:string" />
          <s:element minOccurs="1" maxOccurs="1" name="CallerId" type="guid:guid" />
        </s:sequence>
      </s:complexType>
    </s:schema>
    <s:schema elementFormDefault="qualified" targetNamespace="${GUID_TYPES_NS}">
      <s:simpleType name="guid">
        <s:restriction base="s:string">
          <s:pattern value="[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}" />
        </s:restriction>
      </s:simpleType>
    </s:schema>
  </wsdl:types>
` +
    executeServiceTail({
      service: 'MetadataService',
      soapAction: `${WS_NS}/Execute`,
      address,
      tokenHeader: true,
    })
  );
}

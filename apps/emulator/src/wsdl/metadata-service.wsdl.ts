import { CT_NS, GUID_TYPES_NS, WS_NS } from '../soap/namespaces.constants';
import { escapeXmlAttr } from '../xml/xml-escape.util';

/**
 * A minimal MetadataService WSDL for the URL OrganizationDetail advertises as `CrmMetadataServiceUrl`
 * (docs/protocol.md §4.3). CRM 4.0's MetadataService has one operation, `Execute`, in
 * 2007/WebServices with the CrmAuthenticationToken header, dispatching on the `xsi:type` of its
 * `Request` (RetrieveAttribute, RetrieveEntity, …; RHO's metadata client sends RetrieveAttributeRequest).
 * The emulator describes that operation with abstract request and response types and implements no
 * metadata request: a POST answers the NotImplemented fault.
 */
export function metadataServiceWsdl(address: string): string {
  const binding = (name: string, soap: 'soap' | 'soap12'): string =>
    `  <wsdl:binding name="${name}" type="tns:MetadataServiceSoap">\n` +
    `    <${soap}:binding transport="http://schemas.xmlsoap.org/soap/http" />\n` +
    `    <wsdl:operation name="Execute">\n` +
    `      <${soap}:operation soapAction="${WS_NS}/Execute" style="document" />\n` +
    `      <wsdl:input>\n        <${soap}:body use="literal" />\n` +
    `        <${soap}:header message="tns:ExecuteCrmAuthenticationToken" part="CrmAuthenticationToken" use="literal" />\n` +
    `      </wsdl:input>\n` +
    `      <wsdl:output>\n        <${soap}:body use="literal" />\n      </wsdl:output>\n` +
    `    </wsdl:operation>\n` +
    `  </wsdl:binding>\n`;
  const location = escapeXmlAttr(address);
  return `<?xml version="1.0" encoding="utf-8"?>
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
  <wsdl:message name="ExecuteSoapIn">
    <wsdl:part name="parameters" element="tns:Execute" />
  </wsdl:message>
  <wsdl:message name="ExecuteSoapOut">
    <wsdl:part name="parameters" element="tns:ExecuteResponse" />
  </wsdl:message>
  <wsdl:message name="ExecuteCrmAuthenticationToken">
    <wsdl:part name="CrmAuthenticationToken" element="tns:CrmAuthenticationToken" />
  </wsdl:message>
  <wsdl:portType name="MetadataServiceSoap">
    <wsdl:operation name="Execute">
      <wsdl:input message="tns:ExecuteSoapIn" />
      <wsdl:output message="tns:ExecuteSoapOut" />
    </wsdl:operation>
  </wsdl:portType>
${binding('MetadataServiceSoap', 'soap')}${binding('MetadataServiceSoap12', 'soap12')}  <wsdl:service name="MetadataService">
    <wsdl:port name="MetadataServiceSoap" binding="tns:MetadataServiceSoap">
      <soap:address location="${location}" />
    </wsdl:port>
    <wsdl:port name="MetadataServiceSoap12" binding="tns:MetadataServiceSoap12">
      <soap12:address location="${location}" />
    </wsdl:port>
  </wsdl:service>
</wsdl:definitions>
`;
}

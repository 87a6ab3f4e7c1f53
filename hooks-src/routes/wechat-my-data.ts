import { auditRequest, subjectOf } from "../audit/audit";
import { requireWechatUser } from "../http/auth";
import { answer, sendOk } from "../http/responses";
import { myDataOf } from "../my-data/my-data";

export function myData(e: core.RequestEvent): void {
  answer(e, () => {
    const user = requireWechatUser(e);
    const document = myDataOf(user);
    auditRequest(e, "my_data_exported", subjectOf(user));
    sendOk(e, "请求成功", document);
  });
}
